"""The printable documents of a network (no login needed): the partner overview and the
published minutes, as HTML for the website and as PDF."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, abort, g, render_template
from flask_babel import get_locale
from markupsafe import Markup

from knotenpunkt.shared.pdf import html_pdf, running_head

from . import publications
from .auth import current_user
from .client import api, as_user, public
from .nav import listed, network_of_url

docs = Blueprint("documents", __name__)
docs.url_value_preprocessor(network_of_url)


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


def _overview_page(tenant: str, publication_id: str) -> tuple[dict, str]:
    """The publication and its printable page (its lists built once per publication and
    language: publications.rendered)."""
    publication = publications.publication(tenant, publication_id)
    body = publications.rendered(
        "print-body",
        tenant,
        publication_id,
        str(get_locale() or "de"),
        lambda: Markup(render_template("print/_overview_body.html", publication=publication)),
    )
    return publication, render_template("print/overview.html", publication=publication, body=body)


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>")
def overview_document(tenant, publication_id):
    return _overview_page(tenant, str(publication_id))[1]


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>.pdf")
def overview_pdf(tenant, publication_id):
    """The printable page itself as tagged PDF/UA (shared.pdf): its language, title, headings
    and the table with its header cells, as a screen reader reads the page; the network and
    the date atop each page, page numbers below. Built once per publication and language
    from the page as anyone sees it (a signed-in visitor's page is not kept)."""
    publication, page = _overview_page(tenant, str(publication_id))
    language = str(get_locale() or "de")
    published = datetime.fromisoformat(str(publication["published_at"]))
    head = running_head(g.rules["name"], published)

    def build() -> bytes:
        return html_pdf(page, STATIC, language, head)

    if current_user(tenant):
        content = build()
    else:
        content = publications.rendered("pdf", tenant, str(publication_id), language, build)
    day = str(publication["published_at"])[:10]
    return _pdf(content, f'inline; filename="partneruebersicht-{tenant}-{day}.pdf"')


STATIC = Path(__file__).resolve().parent / "static"


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
