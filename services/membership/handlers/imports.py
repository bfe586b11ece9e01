"""Use cases of imports (a network moves in with its spreadsheets): upload → preview (stored,
nothing written to the records), mapping changed, apply (all valid rows in one transaction,
with the events of the API's own writes), undo as a whole, the log, the rows with errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from uuid import UUID

from knotenpunkt.services.membership.domain import directory_search as dedup
from knotenpunkt.services.membership.domain import imports as domain
from knotenpunkt.services.membership.handlers import import_writes as writes
from knotenpunkt.shared import spreadsheets
from knotenpunkt.shared.errors import Conflict
from knotenpunkt.shared.usecase import Context, emit, plain


@dataclass(frozen=True)
class UploadImport:
    kind: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class SetMapping:
    import_id: UUID
    mapping: list


@dataclass(frozen=True)
class ApplyImport:
    import_id: UUID
    choices: dict = field(default_factory=dict)


@dataclass(frozen=True)
class UndoImport:
    import_id: UUID


def upload(cmd: UploadImport, conn, ctx: Context) -> dict:
    """Read the spreadsheet and store its preview; the records stay as they are.

    Raises RuleViolation (kind: not used here; file: not a readable spreadsheet, too many
    rows or columns) and TooLarge (file: more than IMPORT_MAX_BYTES)."""
    kind = domain.kind_for(ctx.rules, cmd.kind)
    table = spreadsheets.read_table(
        cmd.data,
        cmd.filename,
        max_bytes=ctx.settings.import_max_bytes,
        max_rows=ctx.settings.import_max_rows,
    )
    row = ctx.store.imports.insert_import(
        conn,
        ctx.tenant.key,
        {
            "id": uuid.uuid4(),
            "kind": kind.key,
            "filename": cmd.filename[:200] or "upload",
            "format": table.format,
            "header": table.header,
            "cells": {"rows": table.rows, "numeric": sorted(table.numeric)},
            "row_numbers": table.row_numbers,
            "mapping": domain.guess_mapping(kind, table.header),
            "created_by": ctx.actor,
            "created_at": ctx.now,
        },
    )
    rows = evaluate(conn, ctx, row)
    ctx.store.imports.update_import(conn, row["id"], {"counts": domain.counts(rows)})
    return view(row, rows)


def get_import(conn, ctx: Context, *, import_id, verdict: str | None = None) -> dict:
    """The preview (or, once applied, what was done), its rows filtered by verdict."""
    row = ctx.store.imports.get_import(conn, import_id)
    rows = rows_of(conn, ctx, row)
    return view(row, rows, verdict)


def set_mapping(cmd: SetMapping, conn, ctx: Context) -> dict:
    """Change which column gives which field; raises Conflict (applied), RuleViolation."""
    row = ctx.store.imports.get_import(conn, cmd.import_id, lock=True)
    _still_preview(row)
    kind = domain.KINDS[row["kind"]]
    mapping = domain.check_mapping(kind, row["header"], cmd.mapping)
    row = ctx.store.imports.update_import(conn, row["id"], {"mapping": mapping})
    rows = evaluate(conn, ctx, row)
    row = ctx.store.imports.update_import(conn, row["id"], {"counts": domain.counts(rows)})
    return view(row, rows)


def list_imports(conn, ctx: Context) -> list[dict]:
    """The import log: who imported what when, with the counts."""
    return ctx.store.imports.list_imports(conn)


def _still_preview(row: dict) -> None:
    if row["status"] != "preview":
        raise Conflict(
            f"Der Import {row['id']} ist schon {_STATUS[row['status']]}.", field="status"
        )


_STATUS = {"preview": "eine Vorschau", "applied": "angewendet", "undone": "rückgängig gemacht"}


# --- Rows and their verdicts ---------------------------------------------------------


def evaluate(conn, ctx: Context, row: dict, choices: dict | None = None) -> list[dict]:
    """Every row of the stored cells with its values, errors, verdict and action."""
    kind = domain.KINDS[row["kind"]]
    cells = row["cells"]
    numeric: dict[int, set[int]] = {}
    for i, j in cells.get("numeric", []):
        numeric.setdefault(i, set()).add(j)
    parsed = []
    for i, (line, values) in enumerate(zip(row["row_numbers"], cells["rows"], strict=True)):
        found, errors = domain.read_row(
            kind, row["header"], row["mapping"], values, line, numeric.get(i, set()), ctx.tz
        )
        parsed.append({"line": line, "values": found, "errors": errors})
    if kind.key == "body_members":
        _link_bodies(ctx, row, parsed)
    if kind.key == "working_group_members":
        _link_groups(conn, ctx, row, parsed)
    if kind.key in ("contacts", "body_members", "working_group_members"):
        _link_organisations(conn, ctx, row, parsed)
    chosen = {int(k): v for k, v in (choices or row["choices"] or {}).items()}
    out = []
    records = writes.existing(conn, ctx, kind.key)
    for item, verdict in zip(parsed, domain.verdicts(kind.key, parsed, records), strict=True):
        out.append(
            {
                "row": item["line"],
                **verdict,
                "action": domain.action_of(verdict, chosen.get(item["line"])),
                "values": plain(item["values"]),
                "errors": item["errors"],
                "typed": item["values"],
            }
        )
    return out


def _column(row: dict, key: str, label: str) -> str:
    return next((h for h, k in zip(row["header"], row["mapping"], strict=True) if k == key), label)


def _link_bodies(ctx: Context, row: dict, parsed: list[dict]) -> None:
    """A member's Gremium names a body of the network (by its key or its name)."""
    bodies = {}
    for b in ctx.tenant.bodies:
        bodies[domain.normal_header(b["key"])] = bodies[domain.normal_header(b["name"])] = b["key"]
    column = _column(row, "body", "Gremium")
    for item in parsed:
        given = item["values"].get("body")
        if not given:
            continue
        found = bodies.get(domain.normal_header(given))
        if found is None:
            names = ", ".join(b["name"] for b in ctx.tenant.bodies)
            item["errors"].append(
                domain.error(
                    item["line"], column, f"„{given}“ ist kein Gremium (möglich: {names})."
                )
            )
        else:
            item["values"]["body"] = found


def _link_groups(conn, ctx: Context, row: dict, parsed: list[dict]) -> None:
    """A member's Arbeitsgruppe names a working group of the network (by its name)."""
    groups = ctx.store.working_groups.list_working_groups(conn)
    by_name = {domain.normal_header(g["name"]): str(g["id"]) for g in groups}
    column = _column(row, "group", "Arbeitsgruppe")
    for item in parsed:
        given = item["values"].get("group")
        if not given:
            continue
        found = by_name.get(domain.normal_header(given))
        if found is None:
            item["errors"].append(
                domain.error(item["line"], column, f"„{given}“ ist keine Arbeitsgruppe.")
            )
        else:
            item["values"]["group"] = found


def _link_organisations(conn, ctx: Context, row: dict, parsed: list[dict]) -> None:
    """A contact's Organisation names a partner (exactly, or by its normalised name)."""
    partners = ctx.store.partners.all_partners(conn)
    exact = {p["name"].lower(): p["id"] for p in partners}
    normal = {dedup.normal_name(p["name"]): p["id"] for p in partners}
    column = _column(row, "organisation", "Organisation")
    for item in parsed:
        name = item["values"].pop("organisation", None)
        if not name:
            continue
        found = exact.get(name.lower()) or normal.get(dedup.normal_name(name))
        if found is None:
            item["errors"].append(
                domain.error(item["line"], column, f"„{name}“ ist kein verzeichneter Partner.")
            )
        else:
            item["values"]["partner_id"] = found


def rows_of(conn, ctx: Context, row: dict) -> list[dict]:
    """The rows as the preview shows them now, or as they were applied."""
    if row["status"] == "preview":
        return evaluate(conn, ctx, row)
    return row["outcome"].get("rows", [])


def view(row: dict, rows: list[dict], verdict: str | None = None) -> dict:
    kind = domain.KINDS[row["kind"]]
    shown = [r for r in rows if verdict is None or r["verdict"] == verdict]
    return {
        **{k: row[k] for k in ("id", "kind", "filename", "format", "status", "created_by")},
        **{k: row[k] for k in ("created_at", "applied_by", "applied_at", "undone_by", "undone_at")},
        "mapping": domain.mapping_view(kind, row["header"], row["mapping"]),
        "counts": {**domain.counts(rows), **(row["outcome"].get("counts") or {})},
        "rows": [{k: v for k, v in r.items() if k != "typed"} for r in shown],
    }


# --- Apply and undo ------------------------------------------------------------------


def apply(cmd: ApplyImport, conn, ctx: Context) -> dict:
    """Write every valid row as its action says, in the caller's one transaction, through the
    API's use cases (partner.created/updated, contact.created/updated); rows with errors are
    skipped and listed. Raises NotFound, Conflict (not a preview), RuleViolation (choices)."""
    row = ctx.store.imports.get_import(conn, cmd.import_id, lock=True)
    _still_preview(row)
    choices = {
        **{int(k): v for k, v in (row["choices"] or {}).items()},
        **domain.check_choices(cmd.choices, set(row["row_numbers"])),
    }
    rows = evaluate(conn, ctx, row, choices)
    kind = row["kind"]
    created, updated = [], []
    tally = {"created": 0, "updated": 0, "skipped": 0, "errors": 0}
    for r in rows:
        values = r.pop("typed")
        if r["verdict"] == "error":
            tally["errors"] += 1
            continue
        if r["action"] == "create":
            record = writes.create(conn, ctx, kind, values)
            extra = {k: v for k, v in record.items() if k.startswith("_")}
            created.append(
                {"id": str(record["id"]), "after": writes.snapshot(record), "extra": plain(extra)}
            )
            r["record"] = str(record["id"])
            tally["created"] += 1
        elif r["action"] == "update":
            record_id = r["match"]["id"]
            before = writes.current(conn, ctx, kind, record_id)
            changes = domain.update_values(kind, values, r)
            record = writes.update(conn, ctx, kind, record_id, changes)
            updated.append(
                {
                    "id": record_id,
                    "before": writes.snapshot(before),
                    "after": writes.snapshot(record),
                }
            )
            r["record"] = record_id
            tally["updated"] += 1
        else:
            tally["skipped"] += 1
    outcome = {"rows": rows, "created": created, "updated": updated, "counts": tally}
    row = ctx.store.imports.update_import(
        conn,
        row["id"],
        {
            "status": "applied",
            "choices": {str(k): v for k, v in choices.items()},
            "outcome": outcome,
            "counts": {**domain.counts(rows), **tally},
            "applied_by": ctx.actor,
            "applied_at": ctx.now,
        },
    )
    emit(conn, ctx, "import", "applied", _event(row, tally), row["id"])
    return view(row, rows)


def _event(row: dict, tally: dict) -> dict:
    return {"id": row["id"], "kind": row["kind"], "filename": row["filename"], **tally}


def undo(cmd: UndoImport, conn, ctx: Context) -> dict:
    """Undo an applied import as a whole: what it created is removed, what it changed is
    written back. Raises Conflict naming the records changed since (nothing is undone then),
    or when the import is not applied."""
    row = ctx.store.imports.get_import(conn, cmd.import_id, lock=True)
    if row["status"] != "applied":
        raise Conflict(
            f"Nur ein angewendeter Import kann rückgängig gemacht werden; dieser ist "
            f"{_STATUS[row['status']]}.",
            field="status",
        )
    kind, outcome = row["kind"], row["outcome"]
    # a record a later row changed again is compared with what the last row left
    latest = {e["id"]: e["after"] for e in outcome["created"] + outcome["updated"]}
    changed, now = [], {}
    for record_id, after in latest.items():
        found = writes.current(conn, ctx, kind, record_id)
        now[record_id] = found
        if found is None or writes.snapshot(found) != after:
            label = domain.record_label(kind, found or after)
            changed.append({"id": record_id, "name": label, "gone": found is None})
    if changed:
        names = ", ".join(f"„{c['name']}“" for c in changed[:10])
        more = f" und {len(changed) - 10} weitere" if len(changed) > 10 else ""
        raise Conflict(
            f"Der Import kann nicht rückgängig gemacht werden: seit dem Import geändert oder "
            f"gelöscht wurden {names}{more}.",
            field="records",
            changed=changed,
        )
    for entry in reversed(outcome["updated"]):
        writes.revert(conn, ctx, kind, entry["id"], entry["before"])
    for entry in outcome["created"]:
        writes.remove(conn, ctx, kind, now[entry["id"]], entry.get("extra"))
    row = ctx.store.imports.update_import(
        conn, row["id"], {"status": "undone", "undone_by": ctx.actor, "undone_at": ctx.now}
    )
    tally = {"removed": len(outcome["created"]), "reverted": len(outcome["updated"])}
    emit(conn, ctx, "import", "undone", _event(row, tally), row["id"])
    return view(row, outcome["rows"])


def error_rows(conn, ctx: Context, *, import_id) -> tuple[str, list[str], list[list]]:
    """(file name, header, rows) of the rows with errors: their cells as uploaded and a last
    column naming each error, to fix and upload again."""
    row = ctx.store.imports.get_import(conn, import_id)
    header = [*row["header"], "Fehler"]
    cells = dict(zip(row["row_numbers"], row["cells"]["rows"], strict=True))
    out = []
    for r in rows_of(conn, ctx, row):
        if r["verdict"] == "error":
            out.append([*cells[r["row"]], "; ".join(e["message"] for e in r["errors"])])
    stem = row["filename"].rsplit(".", 1)[0]
    return f"{stem}-fehler", header, out
