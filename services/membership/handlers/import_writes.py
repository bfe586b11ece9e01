"""What applying and undoing an import writes, per kind: through the same use cases (and so
with the same events) as the API's own writes of partners, contacts and matrix cells."""

from __future__ import annotations

import uuid

from knotenpunkt.services.membership.handlers import directories, federation, working_groups
from knotenpunkt.services.membership.handlers import partners as partner_cases
from knotenpunkt.shared.usecase import Context, emit, plain

# What a revert writes back: the columns an import may change.
COLUMNS = {
    "partners": (
        "name kind street postcode city website email phone topics languages since public shared"
    ).split(),
    "contacts": (
        "partner_id name role email phone languages responsibilities legal_basis consent_at "
        "public shared"
    ).split(),
    "responsibilities": "responsibility contact_name contact_email contact_phone".split(),
    "doctors": "name specialty street postcode city phone languages last_verified".split(),
    "offers": "title kind provider target_groups languages place contact description".split(),
    "body_members": "name email partner_id department role".split(),
    "working_group_members": "name partner_id role".split(),
}
# what a use case adds to a row that the table does not hold
_DERIVED = ("verification_overdue", "warnings")


def existing(conn, ctx: Context, kind: str) -> list[dict]:
    """The records an import's rows are compared with."""
    if kind == "partners":
        return ctx.store.partners.all_partners(conn)
    if kind == "contacts":
        return ctx.store.partners.all_contacts(conn)
    if kind == "body_members":
        return [
            _member(m)
            for b in ctx.tenant.bodies
            for m in ctx.store.partners.list_members(conn, b["key"])
        ]
    if kind == "working_group_members":
        return [
            _group_member(m)
            for g in ctx.store.working_groups.list_working_groups(conn)
            for m in ctx.store.working_groups.group_members(conn, g["id"])
        ]
    if kind == "doctors":
        return ctx.store.directories.find_doctors(conn)
    if kind == "offers":
        return ctx.store.directories.find_offers(conn)
    return ctx.store.directories.list_responsibilities(conn)


def _member(row: dict | None) -> dict | None:
    """A body member with an id of its own: body/person_id."""
    return row and {**row, "id": f"{row['body']}/{row['person_id']}"}


def _group_member(row: dict | None) -> dict | None:
    """A working-group member with an id of its own: group/person_id."""
    return row and {**row, "id": f"{row['working_group_id']}/{row['person_id']}"}


def current(conn, ctx: Context, kind: str, record_id) -> dict | None:
    """The record now, or None when it is gone."""
    if kind == "working_group_members":
        group, person_id = str(record_id).split("/", 1)
        return _group_member(ctx.store.working_groups.get_group_member(conn, group, person_id))
    if kind == "body_members":
        body, person_id = str(record_id).split("/", 1)
        return _member(ctx.store.partners.get_member(conn, body, person_id))
    if kind == "responsibilities":
        return ctx.store.directories.get_responsibility(conn, record_id)
    return ctx.store.partners.row_or_none(conn, kind, record_id)


def snapshot(row: dict) -> dict:
    """A record as JSON, to tell later whether it changed."""
    return plain({k: v for k, v in row.items() if k not in _DERIVED and not k.startswith("_")})


def _contact_values(values: dict) -> dict:
    return {k: v for k, v in values.items() if k != "organisation"}


def create(conn, ctx: Context, kind: str, values: dict) -> dict:
    """A new record from a row's values."""
    if kind == "partners":
        cmd = partner_cases.CreatePartner(**{"kind": "other", **values})
        return partner_cases.create_partner(cmd, conn, ctx)
    if kind == "contacts":
        cmd = partner_cases.CreateContact(**_contact_values(values))
        return partner_cases.create_contact(cmd, conn, ctx)
    if kind == "body_members":
        return _member(partner_cases.add_body_member(_add(values), conn, ctx))
    if kind == "working_group_members":
        return _join_group(conn, ctx, values)
    if kind == "doctors":
        return directories.create_doctor(directories.CreateDoctor(**values), conn, ctx)
    if kind == "offers":
        return directories.create_offer(directories.CreateOffer(**values), conn, ctx)
    return directories.put_responsibility(directories.PutResponsibility(**values), conn, ctx)


def update(conn, ctx: Context, kind: str, record_id, values: dict) -> dict:
    """A record changed by a row's values."""
    if kind == "partners":
        return partner_cases.update_partner(
            partner_cases.UpdatePartner(record_id, values), conn, ctx
        )
    if kind == "contacts":
        return partner_cases.update_contact(
            partner_cases.UpdateContact(record_id, _contact_values(values)), conn, ctx
        )
    if kind == "body_members":
        before = current(conn, ctx, kind, record_id)
        merged = {**{k: before[k] for k in COLUMNS[kind]}, **values}
        return _member(
            partner_cases.add_body_member(
                _add({**merged, "body": before["body"], "person_id": before["person_id"]}),
                conn,
                ctx,
            )
        )
    if kind == "working_group_members":
        before = current(conn, ctx, kind, record_id)
        merged = {**{k: before[k] for k in COLUMNS[kind]}, **values}
        return _join_group(
            conn,
            ctx,
            {**merged, "group": before["working_group_id"], "person_id": before["person_id"]},
        )
    if kind == "doctors":
        return directories.update_doctor(directories.UpdateDoctor(record_id, values), conn, ctx)
    if kind == "offers":
        return directories.update_offer(directories.UpdateOffer(record_id, values), conn, ctx)
    before = ctx.store.directories.get_responsibility(conn, record_id)
    return directories.put_responsibility(
        directories.PutResponsibility(**{**_cell(before), **values}), conn, ctx
    )


def _join_group(conn, ctx: Context, values: dict) -> dict:
    """A person added to a working group; a leader who joins the network's body by that is
    marked (_joined_body), so that an undo takes them out of it again."""
    person_id = values.get("person_id") or f"p-{uuid.uuid4().hex[:12]}"
    body = ctx.rules["working_groups"].get("leaders_join_body")
    joins = (
        values.get("role") == "leader"
        and body
        and ctx.store.partners.get_member(conn, body, person_id) is None
    )
    row = working_groups.add_group_member(
        conn,
        ctx,
        values["group"],
        {
            "person_id": person_id,
            "name": values["name"],
            "partner_id": values.get("partner_id"),
            "role": values.get("role") or "member",
        },
    )
    return {**_group_member(row), "_joined_body": body if joins else None}


def _add(values: dict) -> partner_cases.AddBodyMember:
    fields = ("body", "name", "person_id", "email", "partner_id", "department")
    return partner_cases.AddBodyMember(
        **{k: values.get(k) for k in fields}, role=values.get("role") or "member"
    )


def _cell(row: dict) -> dict:
    return {k: row[k] for k in ("actor", "topic", *COLUMNS["responsibilities"])}


def remove(conn, ctx: Context, kind: str, row: dict, extra: dict | None = None) -> None:
    """Remove a record an import created, telling the others as an erasure does."""
    if kind == "working_group_members":
        working_groups.remove_group_member(conn, ctx, row["working_group_id"], row["person_id"])
        body = (extra or {}).get("_joined_body")
        if body and ctx.store.partners.get_member(conn, body, row["person_id"]):
            partner_cases.remove_body_member(
                partner_cases.RemoveBodyMember(body, row["person_id"]), conn, ctx
            )
    elif kind == "partners":
        ctx.store.partners.delete_partner(conn, row["id"])
        federation.note_change(conn, ctx, "partner", row, None)
        emit(conn, ctx, "partner", "removed", {"id": row["id"], "name": row["name"]}, row["id"])
    elif kind == "contacts":
        ctx.store.partners.delete_contact(conn, row["id"])
        federation.note_change(conn, ctx, "contact", row, None)
        emit(
            conn,
            ctx,
            "contact",
            "erased",
            {"contact_id": str(row["id"]), "email": row["email"]},
            row["id"],
        )
    elif kind == "body_members":
        partner_cases.remove_body_member(
            partner_cases.RemoveBodyMember(row["body"], row["person_id"]), conn, ctx
        )
    elif kind == "doctors":
        directories.delete_doctor(directories.DeleteDoctor(row["id"]), conn, ctx)
    elif kind == "offers":
        directories.delete_offer(directories.DeleteOffer(row["id"]), conn, ctx)
    else:
        ctx.store.directories.delete_responsibility(conn, row["id"])


def revert(conn, ctx: Context, kind: str, record_id, before: dict) -> None:
    """Write back what a record held before the import changed it."""
    values = {k: before.get(k) for k in COLUMNS[kind]}
    if kind == "responsibilities":
        directories.put_responsibility(
            directories.PutResponsibility(actor=before["actor"], topic=before["topic"], **values),
            conn,
            ctx,
        )
        return
    update(conn, ctx, kind, record_id, values)
