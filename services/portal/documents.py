"""The printable documents of a network (no login needed): the partner overview and the
published minutes, as HTML for the website and as PDF."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, g, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from knotenpunkt.shared.outputs import markdown_text as md
from knotenpunkt.shared.pdf import markdown_pdf

from . import labels, publications, zone
from .auth import current_user
from .client import api, as_user, public
from .nav import listed, network_of_url

docs = Blueprint("documents", __name__)
docs.url_value_preprocessor(network_of_url)


def overview_markdown(publication: dict, network_name: str) -> str:
    """The partner overview as Markdown (the PDF's source): new partners first, then all."""
    day = zone.local(publication["published_at"])
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


def _pdf(content: bytes, disposition: str) -> Response:
    """A PDF shown in the browser, cached for five minutes."""
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "public, max-age=300",
        },
    )


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>")
def overview_document(tenant, publication_id):
    publication = publications.publication(tenant, str(publication_id))
    body = publications.rendered(
        "print-body",
        tenant,
        str(publication_id),
        str(get_locale() or "de"),
        lambda: Markup(render_template("print/_overview_body.html", publication=publication)),
    )
    return render_template("print/overview.html", publication=publication, body=body)


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>.pdf")
def overview_pdf(tenant, publication_id):
    publication = publications.publication(tenant, str(publication_id))
    title = f"{_('Partnerübersicht')}: {g.rules['name']}"
    language = str(get_locale() or "de")
    # The one PDF engine of the platform (shared.pdf), as for the minutes.
    content = publications.rendered(
        "pdf",
        tenant,
        str(publication_id),
        language,
        lambda: markdown_pdf(
            overview_markdown(publication, g.rules["name"]),
            title,
            datetime.fromisoformat(str(publication["published_at"])),
            language,
            g.rules["name"],
        ),
    )
    day = str(publication["published_at"])[:10]
    return _pdf(content, f'inline; filename="partneruebersicht-{tenant}-{day}.pdf"')


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
    agenda = event.get("agenda") or listed(_call(tenant, f"events/{event_id}/agenda"))
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
    return _pdf(
        reply.content,
        reply.headers.get("Content-Disposition") or f'inline; filename="protokoll-{event_id}.pdf"',
    )


def _oparl_file(tenant: str, event_id, fmt: str):
    """A published minutes file as events' OParl API serves it (public events only)."""
    client = api()
    return client.fetch(f"{client.urls['events']}/oparl/v1/{tenant}/file/{event_id}/{fmt}/content")
