"""Use cases of the OParl 1.1 read API: the lists and objects membership serves (System, Body,
LegislativeTerm, Organization, Person, Membership), built from the tenant file and the public
data only; the registry (shared.oparl.reconcile) gives each its created/modified and keeps
what vanished as deleted.

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


def _persons(conn, ctx: Context, root: str, seats: list[dict]) -> tuple[list, list]:
    """The public Persons and Memberships, each followed by the deleted ones."""
    removals = _removals(conn, ctx)
    live = [domain.membership(root, s) for s in seats]
    memberships = live + domain.tombstones(root, "membership", removals, {m["id"] for m in live})
    last_removed: dict = {}
    for r in removals:
        last_removed[r["person_key"]] = r["removed_at"]  # oldest first: the last one stays
    by_person: dict[str, list[dict]] = {}
    for s in seats:
        by_person.setdefault(s["person_id"], []).append(s)
    people = [
        domain.person(root, ctx.tenant.key, rows, last_removed.get(domain.person_key(pid)))
        for pid, rows in by_person.items()
    ]
    people.sort(key=lambda p: (p["name"], p["id"]))
    people += domain.tombstones(root, "person", removals, {p["id"] for p in people})
    return people, memberships


def _catalogue(conn, ctx: Context, root: str) -> dict[str, list[dict]]:
    """Every OParl object membership serves, by its list, with created/modified from the
    registry (which it brings up to date: new, changed and vanished objects)."""
    rules, key = ctx.rules, ctx.tenant.key
    seats = _seats(conn, ctx)
    people, memberships = _persons(conn, ctx, root, seats)
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
    orgs += [
        domain.working_group(root, key, g, g["member_count"])
        for g in ctx.store.oparl.working_groups(conn)
    ]
    objects = {
        "system": [domain.system(root, rules, rules["oparl"])],
        "body": [domain.body(root, rules, rules["oparl"])],
        "legislativeterm": domain.legislative_terms(root, key, rules["oparl"]),
        "organization": orgs,
        "person": people,
        "membership": memberships,
    }
    objects, changed = oparl.reconcile(objects, ctx.store.oparl.registry(conn), root, ctx.now)
    ctx.store.oparl.keep(conn, key, changed)
    return objects


def system(conn, ctx: Context, *, origin: str) -> dict:
    """The System object of the tenant; raises nothing."""
    return _catalogue(conn, ctx, _root(ctx, origin))["system"][0]


def oparl_list(conn, ctx: Context, kind: str, *, origin: str, **query) -> dict:
    """One page of the list of a kind (body, legislativeterm, organization, person,
    membership) with the filters of the query; raises nothing."""
    root = _root(ctx, origin)
    objects = _catalogue(conn, ctx, root)[kind]
    return oparl.page(objects, f"{root}/{kind}", query, ctx.rules["oparl"]["page_size"])


def oparl_object(conn, ctx: Context, kind: str, key: str, *, origin: str) -> dict:
    """The object of a kind whose id ends in ``<kind>/<key>``; raises NotFound."""
    root = _root(ctx, origin)
    wanted = f"{root}/{kind}/{key}"
    found = next((o for o in _catalogue(conn, ctx, root)[kind] if o["id"] == wanted), None)
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
