"""The Koordinierungsstelle's management pages (what needs them, partners, bodies and their
members, contacts, doctors, offers, the responsibility matrix, the delivery log) and the
printable documents (the partner overview and the minutes as HTML for the website and as PDF).

Every page calls the services' APIs with the signed-in person's token; nothing is kept here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from knotenpunkt.shared.pdf import markdown_pdf

from . import console, labels
from .auth import current_user
from .client import api, as_user, public
from .console import _list, signed_in
from .forms import Errors

bp = Blueprint("manage", __name__, url_prefix="/<tenant>/console")
docs = Blueprint("documents", __name__)

PAGE_SIZE = 20
COORDINATORS = ("coordinator", "admin")
# A count shown on the start page is exact up to this many (more: „mehr als …“).
COUNT_LIMIT = 100


# Every page here is a network's: g.tenant and g.rules as on the console's pages.
bp.url_value_preprocessor(console._tenant)
docs.url_value_preprocessor(console._tenant)


def _page() -> int:
    return max(1, min(request.args.get("seite", type=int, default=1), 10000))


# --- What needs the Koordinierungsstelle (the console's start page) -----------------------


def coordinator_tasks(tenant: str) -> dict:
    """What waits for the Koordinierungsstelle, each with a count and where to do it: the
    applications to check, topic submissions, working-group proposals, sessions due or
    overdue by the cadence, failed deliveries; and the open ballots."""
    checked = as_user(
        "GET",
        "membership",
        tenant,
        "applications",
        params={"status": "submitted", "page_size": 5},
    )
    proposals = [
        p
        for p in _list(as_user("GET", "membership", tenant, "working-group-proposals"))
        if p.get("status") in ("submitted", "in_vote")
    ]
    cadence = _list(as_user("GET", "events", tenant, "cadence"))
    failed = _list(
        as_user(
            "GET",
            "notifications",
            tenant,
            "notifications",
            params={"status": "failed", "limit": COUNT_LIMIT + 1},
        )
    )
    # one call for the whole network: the submissions still to decide, of events not cancelled
    pending = as_user(
        "GET",
        "events",
        tenant,
        "topic-submissions",
        params={"status": "submitted", "page_size": 50},
    )
    submissions = _list(pending)
    to_check = checked.data.get("items", []) if checked.ok else []
    tasks = [
        {
            "key": "applications",
            "label": _("Anträge zu prüfen"),
            "count": (checked.data or {}).get("total", 0) if checked.ok else 0,
            "url": url_for("console.applications", tenant=tenant, status="submitted"),
        },
        {
            "key": "submissions",
            "label": _("Eingereichte Themen für Tagesordnungen"),
            "count": (pending.total or 0) if pending.ok else 0,
            "url": url_for("console.home", tenant=tenant) + "#submissions",
        },
        {
            "key": "proposals",
            "label": _("Gründungsanträge für Arbeitsgruppen"),
            "count": len(proposals),
            "url": url_for("console.home", tenant=tenant) + "#proposals",
        },
        {
            "key": "cadence",
            "label": _("Sitzungen fällig oder überfällig"),
            "count": sum(1 for c in cadence if c.get("status") in ("due", "overdue")),
            "url": url_for("console.home", tenant=tenant) + "#cadence",
        },
        {
            "key": "failed",
            "label": _("Fehlgeschlagene Zustellungen"),
            "count": min(len(failed), COUNT_LIMIT),
            "more": len(failed) > COUNT_LIMIT,
            "url": url_for("manage.deliveries", tenant=tenant, status="failed"),
        },
    ]
    return {
        "tasks": tasks,
        "to_check": to_check,
        "proposals": proposals,
        "cadence": cadence,
        "submissions": submissions,
        "open_ballots": _list(
            as_user("GET", "voting", tenant, "ballots", params={"status": "open"})
        ),
    }


# --- Records the Koordinierungsstelle keeps: one form per kind -----------------------------


@dataclass(frozen=True)
class Field:
    """A field of a management form and how its value goes to the API.

    kind: text, email, url, tel, date, textarea, select (options), list (comma-separated),
    checks (several of options), bool, moment (a date and time in the network's zone)."""

    name: str
    label: object
    kind: str = "text"
    required: bool = False
    hint: object = None
    options: object = None  # dict value → label, or a function of the rules giving (value, label)

    def choices(self, rules: dict) -> list[tuple[str, str]]:
        if callable(self.options):
            return list(self.options(rules))
        return [(k, str(v)) for k, v in (self.options or {}).items()]


def _policy_fields(rules: dict):
    return [(t, t) for t in rules.get("policy_fields") or []]


@dataclass(frozen=True)
class Kind:
    """A kind of record: where its API is, its form and how a list shows it."""

    slug: str
    path: str
    title: object
    new: object
    fields: tuple[Field, ...]
    columns: tuple[tuple[object, str], ...]
    name_field: str = "name"
    feature: str | None = None  # the tenant's directory feature it needs
    delete: str = "delete"  # delete, leave (a partner leaves), none
    has_item_route: bool = True  # GET path/<id> exists (else: found in the list)


LANGUAGES_HINT = _l("Sprachcodes, durch Komma getrennt, z. B. de, ar, fa")
ADDRESS = (
    Field("street", _l("Straße und Hausnummer")),
    Field("postcode", _l("Postleitzahl"), hint=_l("fünf Ziffern")),
    Field("city", _l("Ort")),
)

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "partner",
            "partners",
            _l("Partner"),
            _l("Neuer Partner"),
            (
                Field("name", _l("Name"), required=True),
                Field("kind", _l("Art"), "select", True, options=labels.PARTNER_KINDS),
                *ADDRESS,
                Field("website", _l("Website"), "url", hint=_l("mit https://")),
                Field("email", _l("E-Mail-Adresse"), "email"),
                Field("phone", _l("Telefon"), "tel"),
                Field("topics", _l("Handlungsfelder"), "checks", options=_policy_fields),
                Field("languages", _l("Sprachen"), "list", hint=LANGUAGES_HINT),
                Field("since", _l("Partner seit"), "date"),
                Field("public", _l("Im öffentlichen Verzeichnis zeigen"), "bool"),
                Field("shared", _l("Mit anderen Netzwerken teilen"), "bool"),
            ),
            ((_l("Art"), "kind_label"), (_l("Ort"), "city"), (_l("Stand"), "status_label")),
            delete="leave",
        ),
        Kind(
            "kontakte",
            "contacts",
            _l("Ansprechpartner"),
            _l("Neuer Ansprechpartner"),
            (
                Field("name", _l("Name"), required=True),
                Field("role", _l("Funktion")),
                Field("partner_id", _l("Partner"), "select", options=lambda rules: g.partners),
                Field("email", _l("E-Mail-Adresse"), "email"),
                Field("phone", _l("Telefon"), "tel"),
                Field("languages", _l("Sprachen"), "list", hint=LANGUAGES_HINT),
                Field(
                    "responsibilities",
                    _l("Zuständigkeiten"),
                    "list",
                    hint=_l("durch Komma getrennt"),
                ),
                Field(
                    "legal_basis",
                    _l("Rechtsgrundlage (DSGVO Art. 6)"),
                    "select",
                    True,
                    options=labels.LEGAL_BASES,
                ),
                Field(
                    "consent_at",
                    _l("Einwilligung erteilt am"),
                    "moment",
                    hint=_l("Pflicht, wenn die Rechtsgrundlage die Einwilligung ist"),
                ),
                Field("public", _l("Öffentlich zeigen"), "bool"),
                Field("shared", _l("Mit anderen Netzwerken teilen"), "bool"),
            ),
            ((_l("Funktion"), "role"), (_l("Rechtsgrundlage"), "legal_basis_label")),
        ),
        Kind(
            "aerzte",
            "doctors",
            _l("Ärzte"),
            _l("Neuer Arzt"),
            (
                Field("name", _l("Name"), required=True),
                Field("specialty", _l("Fachrichtung"), required=True),
                *ADDRESS,
                Field("phone", _l("Telefon"), "tel"),
                Field("languages", _l("Sprachen"), "list", True, hint=LANGUAGES_HINT),
                Field("last_verified", _l("Zuletzt geprüft am"), "date", True),
            ),
            ((_l("Fachrichtung"), "specialty"), (_l("Sprachen"), "languages_label")),
            feature="doctors",
            has_item_route=False,
        ),
        Kind(
            "angebote",
            "offers",
            _l("Angebote"),
            _l("Neues Angebot"),
            (
                Field("title", _l("Titel"), required=True),
                Field("kind", _l("Art"), "select", True, options=labels.OFFER_KINDS),
                Field("provider", _l("Anbieter"), required=True),
                Field("target_groups", _l("Zielgruppen"), "list", hint=_l("durch Komma getrennt")),
                Field("languages", _l("Sprachen"), "list", hint=LANGUAGES_HINT),
                Field("place", _l("Ort")),
                Field("contact", _l("Kontakt")),
                Field("description", _l("Beschreibung"), "textarea"),
            ),
            ((_l("Art"), "kind_label"), (_l("Anbieter"), "provider")),
            name_field="title",
            feature="offers",
            has_item_route=False,
        ),
        Kind(
            "zustaendigkeiten",
            "responsibilities",
            _l("Zuständigkeiten"),
            _l("Neue Zuständigkeit"),
            (
                Field("actor", _l("Akteur"), required=True),
                Field("topic", _l("Thema"), required=True),
                Field("responsibility", _l("Zuständigkeit"), "textarea", True),
                Field("contact_name", _l("Ansprechperson")),
                Field("contact_email", _l("E-Mail-Adresse der Ansprechperson"), "email"),
                Field("contact_phone", _l("Telefon der Ansprechperson"), "tel"),
            ),
            ((_l("Thema"), "topic"), (_l("Zuständigkeit"), "responsibility")),
            name_field="actor",
            feature="responsibility_matrix",
            delete="none",
            has_item_route=False,
        ),
    )
}


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    if kind.feature and not (g.rules.get("directory") or {}).get(kind.feature):
        abort(404)
    return kind


def _shown(kind: Kind, item: dict) -> dict:
    """A record with the words its list shows (labels for its enum values)."""
    return {
        **item,
        "kind_label": labels.label(
            labels.PARTNER_KINDS if kind.slug == "partner" else labels.OFFER_KINDS,
            item.get("kind"),
        ),
        "status_label": labels.label(labels.PARTNER_STATUS, item.get("status")),
        "legal_basis_label": labels.label(labels.LEGAL_BASES, item.get("legal_basis")),
        "languages_label": ", ".join(labels.language(c) for c in item.get("languages") or []),
    }


def _partner_options(tenant: str) -> list[tuple[str, str]]:
    """Every partner (all pages of 200) as a choice, after „keinem Partner zugeordnet“."""
    items, page = [], 1
    while True:
        reply = as_user(
            "GET",
            "membership",
            tenant,
            "partners",
            params={"status": "all", "page": page, "page_size": 200},
        )
        data = reply.data if reply.ok else {}
        items += data.get("items", [])
        if not data.get("items") or len(items) >= data.get("total", 0) or page >= 50:
            break
        page += 1
    return [("", str(_("keinem Partner zugeordnet")))] + [(str(p["id"]), p["name"]) for p in items]


def _records(tenant: str, kind: Kind, args) -> dict:
    """The list page's records (a page of partners; every doctor, offer, cell, contact)."""
    if kind.slug == "partner":
        status = args.get("stand", "active")
        if status not in ("active", "left", "all"):
            status = "active"
        q = args.get("q", "").strip()[:200]
        page = _page()
        reply = as_user(
            "GET",
            "membership",
            tenant,
            "partners",
            params={"status": status, "q": q, "page": page, "page_size": PAGE_SIZE},
        )
        data = reply.data if reply.ok else {"items": [], "total": 0}
        return {
            "items": data.get("items", []),
            "total": data.get("total", 0),
            "page": page,
            "pages": max(1, math.ceil(data.get("total", 0) / PAGE_SIZE)),
            "filters": {"stand": status, "q": q},
        }
    reply = as_user("GET", "membership", tenant, kind.path)
    data = reply.data if reply.ok else []
    items = data.get("cells", []) if isinstance(data, dict) else data or []
    key = kind.name_field
    items = sorted(items, key=lambda i: (str(i.get(key) or "").lower(), str(i.get("id"))))
    return {"items": items, "total": len(items), "page": 1, "pages": 1, "filters": {}}


def _record(tenant: str, kind: Kind, item_id: str) -> dict:
    if kind.has_item_route:
        return as_user("GET", "membership", tenant, f"{kind.path}/{item_id}").or_404()
    for item in _records(tenant, kind, {})["items"]:
        if str(item.get("id")) == item_id:
            return item
    abort(404)


def _values(kind: Kind, item: dict) -> dict:
    """A record as the form's values."""
    out: dict = {}
    for f in kind.fields:
        value = item.get(f.name)
        if f.kind == "list":
            out[f.name] = ", ".join(value or [])
        elif f.kind == "checks":
            out[f.name] = list(value or [])
        elif f.kind == "bool":
            out[f.name] = "yes" if value else ""
        elif f.kind == "moment":
            out[f.name] = _local_moment(value)
        else:
            out[f.name] = "" if value is None else str(value)
    return out


def _local_moment(value) -> str:
    """An ISO moment as the network's local "YYYY-MM-DDTHH:MM" (a datetime-local field)."""
    if not value:
        return ""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(str(value)).astimezone(ZoneInfo(g.rules["timezone"]))
    return moment.strftime("%Y-%m-%dT%H:%M")


def _body(kind: Kind, form, errors: Errors, *, creating: bool) -> dict:
    """The API's body from the form; required fields checked here in plain words. Creating
    leaves empty fields out (the API's defaults); changing sends them as null (cleared)."""
    body: dict = {}
    for f in kind.fields:
        if f.kind == "bool":
            body[f.name] = form.get(f.name) == "yes"
            continue
        if f.kind == "checks":
            allowed = {v for v, _ in f.choices(g.rules)}
            body[f.name] = [v for v in form.getlist(f.name) if v in allowed]
            continue
        raw = form.get(f.name, "").strip()
        if f.kind == "list":
            value = [s.strip() for s in raw.replace(";", ",").split(",") if s.strip()]
            if f.name == "languages":
                value = [s.lower() for s in value]
            if f.required and not value:
                errors.add(f.name, _("Bitte geben Sie mindestens einen Eintrag an."))
            body[f.name] = value
            continue
        if not raw:
            if f.required:
                errors.add(f.name, _("Bitte füllen Sie „%(label)s“ aus.", label=f.label))
            elif not creating:
                body[f.name] = None
            continue
        if f.kind == "moment":
            from zoneinfo import ZoneInfo

            try:
                local = datetime.fromisoformat(raw)
            except ValueError:
                errors.add(f.name, _("Bitte geben Sie Datum und Uhrzeit an."))
                continue
            raw = local.replace(tzinfo=ZoneInfo(g.rules["timezone"])).isoformat()
        body[f.name] = raw
    return body


def _prepare(tenant: str, kind: Kind) -> None:
    if kind.slug == "kontakte":
        g.partners = _partner_options(tenant)


@bp.route("/verwalten/<slug>")
@signed_in(*COORDINATORS)
def records(tenant, slug):
    kind = _kind(slug)
    found = _records(tenant, kind, request.args)
    found["items"] = [_shown(kind, i) for i in found["items"]]
    pager_args = {"tenant": tenant, "slug": slug, **found["filters"]}
    return render_template("console/records.html", kind=kind, pager_args=pager_args, **found)


@bp.route("/verwalten/<slug>/neu", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def new_record(tenant, slug):
    kind = _kind(slug)
    _prepare(tenant, kind)
    errors = Errors([f.name for f in kind.fields])
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        body = _body(kind, request.form, errors, creating=True)
        if not errors:
            method = "PUT" if kind.slug == "zustaendigkeiten" else "POST"
            reply = as_user(method, "membership", tenant, kind.path, json=body)
            if reply.ok:
                flash(
                    _("„%(name)s“ ist gespeichert.", name=reply.data.get(kind.name_field)),
                    "success",
                )
                return redirect(url_for("manage.records", tenant=tenant, slug=slug))
            errors.from_reply(reply)
    return render_template(
        "console/record_form.html", kind=kind, item=None, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/verwalten/<slug>/<item_id>", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def record(tenant, slug, item_id):
    kind = _kind(slug)
    item = _record(tenant, kind, item_id)
    _prepare(tenant, kind)
    errors = Errors([f.name for f in kind.fields])
    values = _values(kind, item)
    if request.method == "POST":
        values = request.form
        body = _body(kind, request.form, errors, creating=False)
        if not errors:
            if kind.slug == "zustaendigkeiten":
                reply = as_user("PUT", "membership", tenant, kind.path, json=body)
            else:
                reply = as_user("PATCH", "membership", tenant, f"{kind.path}/{item_id}", json=body)
            if reply.ok:
                flash(
                    _("Die Änderungen an „%(name)s“ sind gespeichert.", name=body[kind.name_field]),
                    "success",
                )
                return redirect(url_for("manage.records", tenant=tenant, slug=slug))
            errors.from_reply(reply)
    return render_template(
        "console/record_form.html", kind=kind, item=item, values=values, errors=errors
    ), (422 if errors else 200)


@bp.post("/verwalten/<slug>/<item_id>/entfernen")
@signed_in(*COORDINATORS)
def remove_record(tenant, slug, item_id):
    """Delete a record; a partner is not deleted but leaves the network (on the day given)."""
    kind = _kind(slug)
    if kind.delete == "none":
        abort(404)
    if kind.delete == "leave":
        left_on = request.form.get("left_on", "").strip()
        if not left_on:
            flash(_("Bitte geben Sie an, seit wann der Partner ausgetreten ist."), "error")
            return redirect(url_for("manage.record", tenant=tenant, slug=slug, item_id=item_id))
        reply = as_user(
            "PATCH",
            "membership",
            tenant,
            f"{kind.path}/{item_id}",
            json={"status": "left", "left_on": left_on},
        )
        said = _("Der Partner ist als ausgetreten eingetragen.")
    else:
        reply = as_user("DELETE", "membership", tenant, f"{kind.path}/{item_id}")
        said = _("Der Eintrag ist gelöscht.")
    if reply.ok:
        flash(said, "success")
        return redirect(url_for("manage.records", tenant=tenant, slug=slug))
    flash(labels.quoted_choices(reply.detail) or _("Das hat nicht geklappt."), "error")
    return redirect(url_for("manage.record", tenant=tenant, slug=slug, item_id=item_id))


# --- Bodies and their members ----------------------------------------------------------------

MEMBER_ORDER = ["name", "email", "person_id", "partner_id", "department", "role"]


@bp.route("/gremien")
@signed_in(*COORDINATORS)
def bodies(tenant):
    items = _list(as_user("GET", "membership", tenant, "bodies"))
    counts = {
        b["key"]: len(_list(as_user("GET", "membership", tenant, f"bodies/{b['key']}/members")))
        for b in items
    }
    return render_template("console/bodies.html", items=items, counts=counts)


@bp.route("/gremien/<key>", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def body(tenant, key):
    found = as_user("GET", "membership", tenant, f"bodies/{key}").or_404()
    errors = Errors(MEMBER_ORDER)
    if request.method == "POST":
        form = request.form
        member = {f: form.get(f, "").strip() for f in MEMBER_ORDER}
        if not member["name"]:
            errors.add("name", _("Bitte geben Sie den Namen an."))
        if member["role"] not in labels.BODY_ROLES:
            errors.add("role", _("Bitte wählen Sie die Rolle im Gremium."))
        if not errors:
            reply = as_user(
                "POST",
                "membership",
                tenant,
                f"bodies/{key}/members",
                json={k: v for k, v in member.items() if v},
            )
            if reply.ok:
                flash(
                    _("%(name)s ist Mitglied des Gremiums.", name=reply.data.get("name")),
                    "success",
                )
                return redirect(url_for("manage.body", tenant=tenant, key=key))
            errors.from_reply(reply)
    members = _list(as_user("GET", "membership", tenant, f"bodies/{key}/members"))
    return render_template(
        "console/body.html",
        body=found,
        members=members,
        errors=errors,
        values=request.form,
        partners=_partner_options(tenant),
    ), (422 if errors else 200)


@bp.post("/gremien/<key>/mitglieder/<person_id>/entfernen")
@signed_in(*COORDINATORS)
def remove_member(tenant, key, person_id):
    reply = as_user("DELETE", "membership", tenant, f"bodies/{key}/members/{person_id}")
    if reply.ok:
        flash(_("Die Person ist nicht mehr Mitglied des Gremiums."), "success")
    else:
        flash(reply.detail or _("Das hat nicht geklappt."), "error")
    return redirect(url_for("manage.body", tenant=tenant, key=key))


# --- The partner overview ---------------------------------------------------------------------


@bp.get("/partneruebersicht")
@signed_in(*COORDINATORS)
def overviews(tenant):
    items = _list(public("membership", tenant, "directory/publications"))
    return render_template("console/overviews.html", items=items)


# --- The delivery log -------------------------------------------------------------------------


@bp.route("/zustellungen")
@signed_in(*COORDINATORS)
def deliveries(tenant):
    status = request.args.get("status", "")
    if status not in labels.DELIVERY_STATUS:
        status = ""
    channel = request.args.get("kanal", "")
    if channel not in labels.CHANNELS:
        channel = ""
    page = _page()
    found = _list(
        as_user(
            "GET",
            "notifications",
            tenant,
            "notifications",
            params={
                "status": status,
                "channel": channel,
                "limit": PAGE_SIZE + 1,
                "offset": (page - 1) * PAGE_SIZE,
            },
        )
    )
    return render_template(
        "console/deliveries.html",
        items=found[:PAGE_SIZE],
        status=status,
        channel=channel,
        page=page,
        more=len(found) > PAGE_SIZE,
    )


@bp.post("/zustellungen/<notification_id>/erneut")
@signed_in(*COORDINATORS)
def resend(tenant, notification_id):
    reply = as_user("POST", "notifications", tenant, f"notifications/{notification_id}/resend")
    if reply.ok:
        flash(
            _(
                "Die Zustellung an %(recipient)s wird erneut versucht …",
                recipient=reply.data.get("recipient_name") or reply.data.get("recipient"),
            ),
            "info",
        )
    else:
        flash(reply.detail or _("Das hat nicht geklappt."), "error")
    back = {k: v for k, v in request.form.items() if k in ("status", "kanal", "seite") and v}
    return redirect(url_for("manage.deliveries", tenant=tenant, **back))


# --- Printable documents: the partner overview and the minutes --------------------------------


def _publication(tenant: str, publication_id: str) -> dict:
    return public("membership", tenant, f"directory/publications/{publication_id}").or_404()


def overview_markdown(publication: dict, network_name: str, tz: str) -> str:
    """The partner overview as Markdown (the PDF's source): new partners first, then all."""
    from zoneinfo import ZoneInfo

    from knotenpunkt.shared.outputs import markdown_text as md

    day = datetime.fromisoformat(str(publication["published_at"])).astimezone(ZoneInfo(tz))
    entries = publication.get("entries") or []
    out = [
        f"# {md(_('Partnerübersicht'))}: {md(network_name)}",
        "",
        md(
            _(
                "Veröffentlicht am %(date)s: %(n)s Partner, davon %(new)s neu.",
                date=day.strftime("%d.%m.%Y"),
                n=publication.get("partners", len(entries)),
                new=publication.get("new", 0),
            )
        ),
        "",
    ]
    new = [e for e in entries if e.get("new")]
    if new:
        out += [f"## {md(_('Neue Partner'))}", ""]
        out += [f"- **{md(e['name'])}** ({md(_entry_line(e))})" for e in new]
        out.append("")
    out += [f"## {md(_('Alle Partner'))}", ""]
    for e in entries:
        mark = f" – **{md(_('neu'))}**" if e.get("new") else ""
        out.append(f"- {md(e['name'])} ({md(_entry_line(e))}){mark}")
    return "\n".join(out) + "\n"


def _entry_line(entry: dict) -> str:
    parts = [labels.label(labels.PARTNER_KINDS, entry.get("kind"))]
    if entry.get("city"):
        parts.append(entry["city"])
    return ", ".join(p for p in parts if p)


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>")
def overview_document(tenant, publication_id):
    publication = _publication(tenant, str(publication_id))
    return render_template("print/overview.html", publication=publication)


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>.pdf")
def overview_pdf(tenant, publication_id):
    publication = _publication(tenant, str(publication_id))
    title = f"{_('Partnerübersicht')}: {g.rules['name']}"
    # The one PDF engine of the platform (shared.pdf), as for the minutes.
    content = markdown_pdf(
        overview_markdown(publication, g.rules["name"], g.rules["timezone"]),
        title,
        datetime.fromisoformat(str(publication["published_at"])),
        str(get_locale() or "de"),
    )
    day = str(publication["published_at"])[:10]
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="partneruebersicht-{tenant}-{day}.pdf"',
            "Cache-Control": "public, max-age=300",
        },
    )


def _call(tenant: str, path: str):
    """A GET with the visitor's token when signed in for this network, else anonymous."""
    if current_user(tenant):
        return as_user("GET", "events", tenant, path)
    return public("events", tenant, path)


@docs.route("/<tenant>/protokolle/<uuid:event_id>")
def minutes_document(tenant, event_id):
    event = _call(tenant, f"events/{event_id}").or_404()
    minutes = _call(tenant, f"events/{event_id}/minutes").or_404()
    if minutes.get("status") != "published":
        abort(404)
    agenda = event.get("agenda") or _list(_call(tenant, f"events/{event_id}/agenda"))
    notes = {str(n.get("item_id")): n.get("text") for n in minutes.get("notes") or []}
    return render_template(
        "print/minutes.html", event=event, minutes=minutes, agenda=agenda, notes=notes
    )


@docs.route("/<tenant>/protokolle/<uuid:event_id>.pdf")
def minutes_pdf(tenant, event_id):
    """The published minutes of a public event as PDF: the OParl File events serves."""
    reply = _oparl_file(tenant, event_id, "pdf")
    if not reply.ok:
        abort(404)
    return Response(
        reply.content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": reply.headers.get("Content-Disposition")
            or f'inline; filename="protokoll-{event_id}.pdf"',
            "Cache-Control": "public, max-age=300",
        },
    )


def _oparl_file(tenant: str, event_id, fmt: str):
    """A published minutes file as events' OParl API serves it (public events only)."""
    client = api()
    return client.fetch(f"{client.urls['events']}/oparl/v1/{tenant}/file/{event_id}/{fmt}/content")
