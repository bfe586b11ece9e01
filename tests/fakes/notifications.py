"""The notifications store without a database: dictionaries behind the functions of
``services/notifications/store`` that planning an event's messages and the preferences call,
with the return shapes of their SQL.

``FakeNotificationsStore()`` is what a handler finds as ``ctx.store``; ``FakeRenderer`` stands
for the templates on disk (``bootstrap.deps``' ``renderer``) and tells what it was asked.
"""

from __future__ import annotations

import uuid

# the kinds of recipients and the scopes, as store.copies names them
BODY_MEMBER, PARTNER, CONTACT = "body_member", "partner", "contact"
PARTNERS_SCOPE, CONSENT_SCOPE = "partners", "consent"


class Copies:
    """``store.copies``: the recipients copied from membership."""

    BODY_MEMBER, PARTNER, CONTACT = BODY_MEMBER, PARTNER, CONTACT
    PARTNERS_SCOPE, CONSENT_SCOPE = PARTNERS_SCOPE, CONSENT_SCOPE

    def __init__(self):
        self.recipients: dict[tuple[str, str, str], dict] = {}  # (kind, scope, ref) -> row

    def upsert_recipient(self, conn, tenant, kind, scope, ref, name, email, now) -> None:
        self.recipients[(kind, scope, ref)] = {
            "tenant": tenant,
            "kind": kind,
            "scope": scope,
            "ref": ref,
            "name": name,
            "email": email,
            "updated_at": now,
        }

    def remove_recipient(self, conn, kind: str, scope: str, ref: str) -> None:
        self.recipients.pop((kind, scope, ref), None)

    def consented(self, conn, email: str) -> bool:
        return any(
            (kind, scope) == (CONTACT, CONSENT_SCOPE) and r["email"].lower() == email.lower()
            for (kind, scope, _), r in self.recipients.items()
        )

    def body_members(self, conn, body: str) -> list[dict]:
        rows = [
            r
            for (kind, scope, _), r in self.recipients.items()
            if (kind, scope) == (BODY_MEMBER, body)
        ]
        return [
            {"ref": r["ref"], "name": r["name"], "email": r["email"]}
            for r in sorted(rows, key=lambda r: r["name"])
        ]


class Deliveries:
    """``store.deliveries``: the delivery log (what planning writes)."""

    def __init__(self):
        self.rows: list[dict] = []

    def enqueue(self, conn, values: dict) -> bool:
        key = (values["tenant"], str(values["event_id"]), values["recipient"], values["channel"])
        if any(
            (r["tenant"], str(r["event_id"]), r["recipient"], r["channel"]) == key
            for r in self.rows
        ):
            return False
        self.rows.append({"id": uuid.uuid4(), "attempts": 0, **values})
        return True

    def pending_at(self, conn, about: str, template: str):
        due = [
            r["next_attempt_at"]
            for r in self.rows
            if r.get("about") == about
            and r["template"] == template
            and r["status"] in ("queued", "retrying")
        ]
        return min(due) if due else None


class Preferences:
    """``store.preferences``: a person's choices per category."""

    def __init__(self):
        self.rows: dict[tuple[str, str], dict] = {}  # (email lower case, category) -> row

    def set_preference(self, conn, tenant, email, category, opted_out, language, now) -> dict:
        key = (email.lower(), category)
        kept = self.rows.get(key, {}).get("language")
        self.rows[key] = {
            "tenant": tenant,
            "email": email.lower(),
            "category": category,
            "opted_out": opted_out,
            "language": language if language is not None else kept,
            "updated_at": now,
        }
        return dict(self.rows[key])

    def opted_out(self, conn, email: str, category: str) -> bool:
        row = self.rows.get((email.lower(), category))
        return bool(row and row["opted_out"])

    def language_of(self, conn, email: str, category: str) -> str | None:
        row = self.rows.get((email.lower(), category))
        return row["language"] if row else None

    def preferences_of(self, conn, email: str) -> list[dict]:
        return [dict(r) for (e, _), r in sorted(self.rows.items()) if e == email.lower()]


class Webhooks:
    """``store.webhooks``: the subscriptions."""

    def __init__(self):
        self.rows: list[dict] = []

    def webhooks_for(self, conn) -> list[dict]:
        return [dict(h) for h in self.rows if h["active"]]

    def create_webhook(self, conn, tenant, url, secret, event_types) -> dict:
        row = {
            "id": uuid.uuid4(),
            "tenant": tenant,
            "url": url,
            "secret": secret,
            "event_types": list(event_types),
            "active": True,
        }
        self.rows.append(row)
        return dict(row)


class FakeNotificationsStore:
    """``ctx.store`` of the notifications handlers, in memory."""

    def __init__(self):
        self.copies = Copies()
        self.deliveries = Deliveries()
        self.preferences = Preferences()
        self.webhooks = Webhooks()


class FakeRenderer:
    """The templates as a list of what was asked: (tenant, template, language, context)."""

    def __init__(self):
        self.rendered: list[tuple[str, str, str, dict]] = []

    def render(self, tenant_key: str, template: str, language: str, context: dict):
        self.rendered.append((tenant_key, template, language, context))
        return f"{template} ({language})", f"Text of {template}"
