"""Use cases of the OParl 1.1 read API: the lists and objects membership serves (System, Body,
Organization, Person, Membership), built from the tenant file and the public data only.

The base of the ids is the composition root's ``oparl_base_url`` (OPARL_BASE_URL, else
PUBLIC_URL), else the origin of the request (behind the gateway: the gateway's host).
"""

from __future__ import annotations

from knotenpunkt.services.membership.domain import oparl as domain
from knotenpunkt.shared import oparl
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import Context


def _root(ctx: Context, origin: str) -> str:
    return oparl.root_url(ctx.deps.get("oparl_base_url") or origin, ctx.tenant.key)


def _seats(conn, ctx: Context) -> list[dict]:
    """The seats of public persons (none where the tenant publishes no persons)."""
    if ctx.rules["oparl"]["persons"] == "none":
        return []
    return ctx.store.oparl.public_members(conn)


def _removals(conn, ctx: Context) -> list[dict]:
    """The removed seats of public persons (none where the tenant publishes no persons)."""
    if ctx.rules["oparl"]["persons"] == "none":
        return []
    return ctx.store.oparl.removals(conn)


def _objects(conn, ctx: Context, root: str, kind: str) -> list[dict]:
    rules, key = ctx.rules, ctx.tenant.key
    if kind == "body":
        return [domain.body(root, rules, rules["oparl"])]
    seats = _seats(conn, ctx)
    if kind == "membership":
        live = [domain.membership(root, s) for s in seats]
        gone = domain.tombstones(root, kind, _removals(conn, ctx), {m["id"] for m in live})
        return live + gone
    if kind == "person":
        removals = _removals(conn, ctx)
        last_removed: dict = {}
        for r in removals:
            last_removed[r["person_key"]] = r["removed_at"]  # oldest first: the last one stays
        by_person: dict[str, list[dict]] = {}
        for s in seats:
            by_person.setdefault(s["person_id"], []).append(s)
        people = [
            domain.person(root, key, rows, last_removed.get(domain.person_key(pid)))
            for pid, rows in by_person.items()
        ]
        people.sort(key=lambda p: (p["name"], p["id"]))
        return people + domain.tombstones(root, kind, removals, {p["id"] for p in people})
    counts = ctx.store.oparl.body_member_counts(conn)
    orgs = [
        domain.gremium(
            root,
            key,
            spec,
            counts.get(spec["key"], 0),
            [domain.membership(root, s)["id"] for s in seats if s["body"] == spec["key"]],
        )
        for spec in ctx.tenant.bodies
    ]
    return orgs + [
        domain.working_group(root, key, g, g["member_count"])
        for g in ctx.store.oparl.working_groups(conn)
    ]


def system(ctx: Context, *, origin: str) -> dict:
    """The System object of the tenant; raises nothing."""
    return domain.system(_root(ctx, origin), ctx.rules, ctx.rules["oparl"])


def oparl_list(conn, ctx: Context, kind: str, *, origin: str, **query) -> dict:
    """One page of the list of a kind (body, organization, person, membership) with the
    filters of the query; raises nothing."""
    root = _root(ctx, origin)
    objects = _objects(conn, ctx, root, kind)
    return oparl.page(objects, f"{root}/{kind}", query, ctx.rules["oparl"]["page_size"])


def oparl_object(conn, ctx: Context, kind: str, key: str, *, origin: str) -> dict:
    """The object of a kind whose id ends in ``<kind>/<key>``; raises NotFound."""
    root = _root(ctx, origin)
    wanted = f"{root}/{kind}/{key}"
    found = next((o for o in _objects(conn, ctx, root, kind) if o["id"] == wanted), None)
    if found is None:
        raise NotFound(f"Ein OParl-Objekt {kind}/{key} gibt es hier nicht.")
    return found


def note_removal(conn, ctx: Context, body: str, person_id: str) -> None:
    """A person is being removed from a body: a public seat is remembered by its OParl keys
    only (so that the API shows it as deleted), never by name; raises nothing."""
    if ctx.store.oparl.public_seat(conn, body, person_id) is None:
        return
    ctx.store.oparl.note_removal(
        conn,
        ctx.tenant.key,
        body,
        domain.membership_key(body, person_id),
        domain.person_key(person_id),
        ctx.now,
    )
