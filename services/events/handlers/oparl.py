"""Use cases of the OParl 1.1 read API: the lists and objects events serves (Meeting,
AgendaItem, Paper, Consultation, File, Location) and the files' contents.

The base of the ids is the composition root's ``oparl_base_url`` (OPARL_BASE_URL, else
PUBLIC_URL), else the origin of the request (behind the gateway: the gateway's host). The
registry (shared.oparl.reconcile) gives every object its created/modified and keeps what
vanished (an agenda item taken off, a withdrawn meeting's files) as deleted.
"""

from __future__ import annotations

from knotenpunkt.services.events.domain import oparl as domain
from knotenpunkt.shared import oparl
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import Context


def _catalogue(conn, ctx: Context, origin: str):
    root = oparl.root_url(ctx.deps.get("oparl_base_url") or origin, ctx.tenant.key)
    urls = domain.Urls(root, ctx.tenant.key)
    objects, contents = domain.catalogue(
        urls,
        ctx.store.oparl.visible_events(conn),
        ctx.store.oparl.public_agenda_items(conn),
        ctx.rules,
        ctx.tz,
        ctx.now,
        ctx.store.oparl.membership_papers(conn),
    )
    objects, changed = oparl.reconcile(objects, ctx.store.oparl.registry(conn), root, ctx.now)
    ctx.store.oparl.keep(conn, ctx.tenant.key, changed)
    return urls, objects, contents


def oparl_list(conn, ctx: Context, kind: str, *, origin: str, **query) -> dict:
    """One page of the list of a kind (meeting, agendaitem, paper, consultation, file,
    location) with the filters of the query; raises nothing."""
    urls, objects, _ = _catalogue(conn, ctx, origin)
    return oparl.page(objects[kind], f"{urls.root}/{kind}", query, ctx.rules["oparl"]["page_size"])


def oparl_object(conn, ctx: Context, kind: str, key: str, *, origin: str) -> dict:
    """The object of a kind whose id ends in ``<kind>/<key>``; raises NotFound."""
    urls, objects, _ = _catalogue(conn, ctx, origin)
    wanted = urls.of(kind, key)
    found = next((o for o in objects[kind] if o["id"] == wanted), None)
    if found is None:
        raise NotFound(f"Ein OParl-Objekt {kind}/{key} gibt es hier nicht.")
    return found


def file_content(conn, ctx: Context, key: str, *, origin: str) -> tuple[bytes, str, str]:
    """A published file's content, media type and file name (key: ``<event id>/<format>``);
    raises NotFound."""
    urls, objects, contents = _catalogue(conn, ctx, origin)
    wanted = urls.of("file", key)
    found = next((o for o in objects["file"] if o["id"] == wanted), None)
    if found is None:
        raise NotFound(f"Eine Datei {key} gibt es hier nicht.")
    return contents[wanted], found["mimeType"], found["fileName"]
