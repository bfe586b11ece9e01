"""The printable documents of a network (no login needed): the partner overview and the
published minutes, as HTML for the website and as PDF."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, Response, abort, render_template

from knotenpunkt.shared.pdf import html_pdf

from .auth import current_user
from .client import api, as_user, public
from .nav import listed, network_of_url

docs = Blueprint("documents", __name__)
docs.url_value_preprocessor(network_of_url)


def _publication(tenant: str, publication_id: str) -> dict:
    return public("membership", tenant, f"directory/publications/{publication_id}").or_404()


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
    publication = _publication(tenant, str(publication_id))
    return render_template("print/overview.html", publication=publication)


@docs.route("/<tenant>/partneruebersicht/<uuid:publication_id>.pdf")
def overview_pdf(tenant, publication_id):
    """The printable page itself as tagged PDF/UA (shared.pdf): its language, title, headings
    and the table with its header cells, as a screen reader reads the page."""
    publication = _publication(tenant, str(publication_id))
    page = render_template("print/overview.html", publication=publication)
    day = str(publication["published_at"])[:10]
    return _pdf(_page_pdf(page), f'inline; filename="partneruebersicht-{tenant}-{day}.pdf"')


STATIC = Path(__file__).resolve().parent / "static"


@functools.lru_cache(maxsize=16)
def _page_pdf(page: str) -> bytes:
    return html_pdf(page, STATIC)


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
