"""What every service's data protection uses (DSGVO): the pseudonym of an erased person, the
classification of personal data (each service's catalogue) and forgetting sent events.

Every service keeps its own catalogue (``services/<name>/privacy_catalogue.py``: table →
personal fields, other fields, purpose, legal basis, retention, recipients) and answers a
``membership.privacy.requested`` with it; nothing here knows a service.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knotenpunkt.shared.usecase import emit, plain

ERASED_NAME = "Gelöschte Person"
KINDS = ("access", "erasure", "record")
SERVICES = ("membership", "voting", "events", "notifications")
LEGAL_BASES = {
    "consent": "Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)",
    "contract": "Art. 6 Abs. 1 lit. b DSGVO (Mitgliedschaft im Netzwerk)",
    "legal_obligation": "Art. 6 Abs. 1 lit. c DSGVO (rechtliche Verpflichtung)",
    "public_task": "Art. 6 Abs. 1 lit. e DSGVO (Aufgabe im öffentlichen Interesse)",
    "legitimate_interest": "Art. 6 Abs. 1 lit. f DSGVO (berechtigtes Interesse)",
    "none": "keine personenbezogenen Daten",
}


def pseudonym(request_id: str) -> str:
    """The pseudonym that replaces a person's id where their part must stay (the same in every
    service for one erasure request; it tells nothing about the person)."""
    return "geloescht-" + hashlib.sha256(str(request_id).encode()).hexdigest()[:12]


def digest(text: str | None) -> str | None:
    """A one-way digest of an e-mail address or person id (the request keeps it, not the text)."""
    return hashlib.sha256(text.strip().lower().encode()).hexdigest() if text else None


def describe(service: str, catalogue: dict, tables=None) -> list[dict]:
    """The catalogue's entries for the record and the export: one per table (only `tables` when
    given), the legal basis spelled out."""
    return [
        {
            "service": service,
            "table": table,
            "personal_fields": list(entry["personal"]),
            "purpose": entry["purpose"],
            "legal_basis": LEGAL_BASES[entry["legal_basis"]],
            "retention": entry["retention"],
            "recipients": list(entry["recipients"]),
        }
        for table, entry in sorted(catalogue.items())
        if entry["personal"] and (tables is None or table in tables)
    ]


def forget_sent_events(conn, texts) -> int:
    """Delete the sent outbox rows whose envelope names one of the texts (any case); returns how
    many; raises nothing."""
    needles = sorted({t.lower() for t in texts if t})
    if not needles:
        return 0
    return conn.execute(
        "delete from outbox where sent_at is not null and exists"
        " (select 1 from unnest(%s::text[]) n where position(n in lower(envelope::text)) > 0)",
        (needles,),
    ).rowcount


_CREATE = re.compile(r"create\s+table\s+(\w+)\s*\((.*?)\n\);", re.S | re.I)
_ADD = re.compile(r"alter\s+table\s+(\w+)\s+add\s+column\s+(?:if\s+not\s+exists\s+)?(\w+)", re.I)
_NOT_COLUMNS = {"primary", "unique", "check", "constraint", "foreign", "exclude"}


def migration_columns(folder: Path) -> dict[str, set[str]]:
    """Each table's columns as the migrations in `folder` create and extend them (the catalogue
    test compares them with the catalogue)."""
    tables: dict[str, set[str]] = {}
    for path in sorted(Path(folder).glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text())
        for table, body in _CREATE.findall(text):
            cols = tables.setdefault(table, set())
            for line in body.splitlines():
                word = line.strip().split(" ", 1)[0].strip(",").lower()
                if word and word not in _NOT_COLUMNS and re.fullmatch(r"\w+", word):
                    cols.add(word)
        for table, column in _ADD.findall(text):
            tables.setdefault(table, set()).add(column.lower())
    return tables


def unclassified(folder: Path, catalogue: dict) -> list[str]:
    """`table.column` of every migrated column the catalogue does not classify (empty when all are)."""
    missing = []
    for table, columns in sorted(migration_columns(folder).items()):
        entry = catalogue.get(table)
        known = set(entry["personal"]) | set(entry["other"]) if entry else set()
        missing += [f"{table}.{c}" for c in sorted(columns - known)]
    return missing


def request_fields(env: dict) -> dict:
    """The fields of a ``membership.privacy.requested`` envelope as every service's
    AnswerPrivacyRequest takes them."""
    d = env["data"]
    return {
        "request_id": d["request_id"],
        "kind": d["kind"],
        "email": d.get("email"),
        "person_ids": tuple(d.get("person_ids") or ()),
        "names": tuple(d.get("names") or ()),
        "pseudonym": d.get("pseudonym"),
    }


def log_retention(log, service: str, tenant: str, counts: dict) -> None:
    """One log line per retention run: the service, the tenant and how many rows per table."""
    log.info(
        "privacy retention %s %s: %s",
        service,
        tenant,
        ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing due",
    )


def json_replacements(names, person_ids, erased_name: str, pseudonym: str) -> list[tuple]:
    """(old, new) texts for replace_in_jsonb: each name by the erased name, each id by the
    pseudonym (texts that JSON would escape are left out)."""
    pairs = [(n, erased_name) for n in names if n] + [(p, pseudonym) for p in person_ids if p]
    return [(old, new) for old, new in pairs if '"' not in old and "\\" not in old]


def replace_in_jsonb(conn, table: str, column: str, replacements) -> int:
    """Replace each text inside a jsonb column where it occurs (a name in a dissent or an
    attendance list); returns how many row updates; raises nothing."""
    from psycopg import sql

    changed = 0
    for old, new in replacements:
        changed += conn.execute(
            sql.SQL(
                "update {t} set {c} = replace({c}::text, %(old)s, %(new)s)::jsonb"
                " where position(%(old)s in {c}::text) > 0"
            ).format(t=sql.Identifier(table), c=sql.Identifier(column)),
            {"old": old, "new": new},
        ).rowcount
    return changed


def table(personal: str, other: str, purpose: str, legal_basis: str, retention: str, recipients=()):
    """A catalogue entry: the personal and the other columns (space-separated), purpose, legal
    basis (a key of LEGAL_BASES), retention and recipients."""
    return {
        "personal": tuple(personal.split()),
        "other": tuple(other.split()),
        "purpose": purpose,
        "legal_basis": legal_basis,
        "retention": retention,
        "recipients": tuple(recipients),
    }


@dataclass(frozen=True)
class AnswerPrivacyRequest:
    """Answer a person's request (membership.privacy.requested) with what the service holds or
    did; every service's worker builds it from the envelope (request_fields)."""

    request_id: str
    kind: str
    email: str | None = None
    person_ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    pseudonym: str | None = None

    @property
    def ids(self) -> list[str]:
        """The person ids and the e-mail address (an id may be an address)."""
        return sorted({*self.person_ids, *([self.email] if self.email else [])})


def publish_answer(conn, ctx, cmd: AnswerPrivacyRequest, answer: dict):
    """Add `<service>.privacy.answered` to the outbox (the caller's transaction, shared.usecase.emit)."""
    data = {"request_id": cmd.request_id, "service": ctx.service, "kind": cmd.kind, **answer}
    return emit(conn, ctx, "privacy", "answered", data, cmd.request_id)


def answer_request(
    conn,
    ctx,
    cmd: AnswerPrivacyRequest,
    catalogue,
    *,
    held: Callable[[], dict],
    erase: Callable[[], dict],
) -> dict:
    """One service's answer to a person's request, published as ``<service>.privacy.answered``:
    the record (the service's catalogue), access (what ``held()`` finds, tables that hold
    nothing left out, with their catalogue entries) or erasure (``erase()``'s counts per
    table). Returns the answer; raises nothing of its own."""
    if cmd.kind == "record":
        answer = {"catalogue": describe(ctx.service, catalogue)}
    elif cmd.kind == "access":
        data = {k: v for k, v in held().items() if v}
        answer = {"data": plain(data), "catalogue": describe(ctx.service, catalogue, data)}
    else:
        answer = {"erased": erase()}
    publish_answer(conn, ctx, cmd, answer)
    return answer
