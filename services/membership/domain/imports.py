"""Imports of spreadsheets: which kinds a network may import, how headers name fields, how a
cell becomes a value (or an error naming row, column and rule in German), and what each row
is against the records and the rows above it: new, update, duplicate or error.

Pure functions; the cells come from shared.spreadsheets, the records from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knotenpunkt.services.membership.domain import directory_search as dedup
from knotenpunkt.services.membership.domain import import_fields as f
from knotenpunkt.services.membership.domain import import_kind_fields as kf
from knotenpunkt.shared.errors import RuleViolation

ACTIONS = ("create", "update", "skip")
VERDICTS = ("new", "update", "duplicate", "error")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    fields: tuple  # of import_fields.Field
    # None: every network; else the directory rule that must be on
    directory_rule: str | None = None


KINDS = {
    "partners": Kind("partners", "Partner", f.PARTNER_FIELDS),
    "contacts": Kind("contacts", "Ansprechpersonen", f.CONTACT_FIELDS),
    "responsibilities": Kind(
        "responsibilities", "Zuständigkeitsmatrix", f.RESPONSIBILITY_FIELDS, "responsibility_matrix"
    ),
    "doctors": Kind("doctors", "Ärzte", kf.DOCTOR_FIELDS, "doctors"),
    "offers": Kind("offers", "Angebote", kf.OFFER_FIELDS, "offers"),
    "body_members": Kind("body_members", "Mitglieder der Gremien", kf.MEMBER_FIELDS),
    "working_group_members": Kind(
        "working_group_members", "Mitglieder der Arbeitsgruppen", kf.GROUP_MEMBER_FIELDS
    ),
}


def kinds_for(rules: dict) -> list[str]:
    """The kinds this network's rules use."""
    return [
        k.key
        for k in KINDS.values()
        if k.directory_rule is None or rules["directory"].get(k.directory_rule)
    ]


def kind_for(rules: dict, key: str) -> Kind:
    """The kind; raises RuleViolation (kind) for an unknown one or one the network does not use."""
    usable = kinds_for(rules)
    if key not in usable:
        raise RuleViolation(
            f"„{key}“ kann in diesem Netzwerk nicht importiert werden; möglich: "
            f"{', '.join(usable)}.",
            field="kind",
        )
    return KINDS[key]


# --- Column mapping -------------------------------------------------------------------


def normal_header(text: str) -> str:
    """A header as the aliases are written: lower case, umlauts spelt out, letters and digits."""
    text = (text or "").casefold().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"}))
    return re.sub(r"[^a-z0-9]+", "", text.replace("ß", "ss"))


def guess_mapping(kind: Kind, header: list[str]) -> list[str | None]:
    """Per column the field its header names (German or English), None for unknown ones;
    a field is given to its first column only."""
    by_alias = {
        normal_header(a): fld.key for fld in kind.fields for a in (fld.key, fld.label, *fld.aliases)
    }
    taken: set[str] = set()
    out: list[str | None] = []
    for text in header:
        key = by_alias.get(normal_header(text))
        if key in taken:
            key = None
        if key:
            taken.add(key)
        out.append(key)
    return out


def check_mapping(kind: Kind, header: list[str], mapping: list) -> list[str | None]:
    """A mapping the coordinator gave: one entry per column, a field of the kind or None, no
    field twice. Raises RuleViolation (mapping) naming the column and the rule."""
    known = {fld.key for fld in kind.fields}
    if not isinstance(mapping, list) or len(mapping) != len(header):
        raise RuleViolation(
            f"Die Zuordnung braucht genau einen Eintrag je Spalte ({len(header)}).",
            field="mapping",
        )
    seen: dict[str, str] = {}
    for text, key in zip(header, mapping, strict=True):
        if key is None or key == "":
            continue
        if key not in known:
            raise RuleViolation(
                f"Spalte {text}: „{key}“ ist kein Feld für {kind.label} (möglich: "
                f"{', '.join(sorted(known))}).",
                field="mapping",
            )
        if key in seen:
            raise RuleViolation(
                f"Spalte {text}: das Feld {key} ist schon der Spalte {seen[key]} zugeordnet.",
                field="mapping",
            )
        seen[key] = text
    return [k or None for k in mapping]


def mapping_view(kind: Kind, header: list[str], mapping: list) -> dict:
    """The columns with their fields, the unknown (ignored) columns and the required fields no
    column gives."""
    labels = {fld.key: fld.label for fld in kind.fields}
    given = {k for k in mapping if k}
    return {
        "columns": [
            {"index": i, "header": h, "field": k, "label": labels.get(k)}
            for i, (h, k) in enumerate(zip(header, mapping, strict=True))
        ],
        "ignored": [h for h, k in zip(header, mapping, strict=True) if not k],
        "missing": [fld.label for fld in kind.fields if fld.required and fld.key not in given],
        "fields": [
            {"key": fld.key, "label": fld.label, "required": fld.required} for fld in kind.fields
        ],
    }


# --- Rows -----------------------------------------------------------------------------


def read_row(kind: Kind, header, mapping, cells, line: int, numeric_columns, tz) -> tuple:
    """(values, errors) of one row: values by field (only non-empty cells), errors as
    {row, column, rule, message}."""
    values, errors = {}, []
    columns = {key: i for i, key in enumerate(mapping) if key}
    for fld in kind.fields:
        i = columns.get(fld.key)
        column = header[i] if i is not None else fld.label
        raw = cells[i].strip() if i is not None else ""
        if not raw:
            if fld.required:
                errors.append(error(line, column, "ist leer (Pflichtfeld)."))
            continue
        try:
            values[fld.key] = fld.parse(raw, numeric=i in numeric_columns, tz=tz)
        except f.CellError as exc:
            errors.append(error(line, column, str(exc)))
    if not errors:
        for problem in kind_checks(kind, values):
            errors.append(error(line, *problem))
    return values, errors


def kind_checks(kind: Kind, values: dict) -> list[tuple[str, str]]:
    """(column label, rule) of rules across fields."""
    if kind.key == "contacts" and values.get("legal_basis") == "consent":
        if not values.get("consent_at"):
            return [("Einwilligung am", "fehlt: bei Einwilligung ist ihr Datum anzugeben.")]
    return []


def error(line: int, column: str, rule: str) -> dict:
    return {
        "row": line,
        "column": column,
        "rule": rule,
        "message": f"Zeile {line}, Spalte {column}: {rule}",
    }


# --- Verdicts -------------------------------------------------------------------------


def exact_key(kind: str, values: dict) -> str | None:
    """What makes a record the same one (a unique key of its table)."""
    if kind == "partners":
        return (values.get("name") or "").strip().lower() or None
    if kind == "contacts":
        return (values.get("email") or "").strip().lower() or None
    if kind == "responsibilities":
        actor, topic = values.get("actor"), values.get("topic")
        return f"{actor.strip().lower()}|{topic.strip().lower()}" if actor and topic else None
    if kind == "body_members":
        who = (values.get("email") or "").strip().lower() or values.get("person_id")
        return f"{values.get('body')}|{who}" if who and values.get("body") else None
    if kind == "working_group_members":
        who = values.get("person_id")
        return f"{values.get('group')}|{who}" if who and values.get("group") else None
    if kind == "doctors":
        name = (values.get("name") or "").strip().lower()
        return f"{name}|{values.get('postcode') or ''}" if name else None
    if kind == "offers":
        title, provider = values.get("title"), values.get("provider")
        return f"{title.strip().lower()}|{provider.strip().lower()}" if title and provider else None
    return None


def fuzzy_keys(kind: str, values: dict) -> list[tuple[str, str]]:
    """The keys of the federated search's dedup (directory_search): a partner's website and
    e-mail domain, its name without legal form and punctuation with the postcode; a contact's
    normalised name with its organisation."""
    if kind == "partners":
        return dedup.match_keys({"type": "partner", **values})
    if kind == "contacts":
        name = dedup.normal_name(values.get("name"))
        return [("person", f"{name}|{values.get('partner_id')}")] if name else []
    if kind == "body_members":
        name = dedup.normal_name(values.get("name"))
        return [("person", f"{values.get('body')}|{name}")] if name else []
    if kind == "working_group_members":
        name = dedup.normal_name(values.get("name"))
        return [("person", f"{values.get('group')}|{name}")] if name else []
    return []


def _compatible(a: dict, b: dict, key_kind: str) -> bool:
    """As directory_search.linked: a shared domain counts unless both postcodes differ."""
    if key_kind != "domain":
        return True
    pa, pb = dedup.postcode_of(a.get("postcode")), dedup.postcode_of(b.get("postcode"))
    return pa is None or pb is None or pa == pb


def record_label(kind: str, row: dict) -> str:
    if kind == "responsibilities":
        return f"{row.get('actor')} / {row.get('topic')}"
    if kind == "offers":
        return str(row.get("title"))
    return str(row.get("name"))


def verdicts(kind: str, rows: list[dict], existing: list[dict]) -> list[dict]:
    """Each row's verdict against the records and the rows above it.

    rows: {line, values, errors}. A row with errors: error. Same unique key as a record:
    update (or skip). Same unique key as a row above: duplicate (skip only). A dedup key shared
    with a record: duplicate with that record (skip, update it, or create anyway); with a row
    above: duplicate (skip or create anyway). Else new. Each verdict names its match and the
    actions allowed, the first being the default."""
    by_exact = {exact_key(kind, r): r for r in existing if exact_key(kind, r)}
    by_fuzzy: dict[tuple, list[dict]] = {}
    for r in existing:
        for key in fuzzy_keys(kind, r):
            by_fuzzy.setdefault(key, []).append(r)
    seen_exact: dict[str, int] = {}
    seen_fuzzy: dict[tuple, list[tuple[int, dict]]] = {}
    out = []
    for row in rows:
        line, values = row["line"], row["values"]
        if row["errors"]:
            out.append({"verdict": "error", "match": None, "allowed": ["skip"]})
            continue
        exact = exact_key(kind, values)
        keys = fuzzy_keys(kind, values)
        verdict = None
        if exact in by_exact:
            rec = by_exact[exact]
            verdict = _v("update", rec, kind, ["update", "skip"])
        elif exact in seen_exact:
            verdict = {
                "verdict": "duplicate",
                "match": {"row": seen_exact[exact]},
                "allowed": ["skip"],
            }
        else:
            for key in keys:
                recs = [r for r in by_fuzzy.get(key, []) if _compatible(values, r, key[0])]
                if recs:
                    verdict = _v("duplicate", recs[0], kind, ["skip", "update", "create"], key)
                    break
            if verdict is None:
                for key in keys:
                    above = [
                        n for n, v in seen_fuzzy.get(key, []) if _compatible(values, v, key[0])
                    ]
                    if above:
                        verdict = {
                            "verdict": "duplicate",
                            "match": {"row": above[0], "matched_by": f"{key[0]}:{key[1]}"},
                            "allowed": ["skip", "create"],
                        }
                        break
        if exact:
            seen_exact.setdefault(exact, line)
        for key in keys:
            seen_fuzzy.setdefault(key, []).append((line, values))
        out.append(verdict or {"verdict": "new", "match": None, "allowed": ["create", "skip"]})
    return out


def _v(verdict: str, rec: dict, kind: str, allowed: list[str], key=None) -> dict:
    match = {"id": str(rec["id"]), "name": record_label(kind, rec)}
    if key:
        match["matched_by"] = f"{key[0]}:{key[1]}"
    return {"verdict": verdict, "match": match, "allowed": allowed}


def action_of(verdict: dict, choice: str | None) -> str:
    """What applying does with the row: the coordinator's choice where allowed, else the
    default (the first allowed action)."""
    return choice if choice in verdict["allowed"] else verdict["allowed"][0]


def check_choices(choices: dict, lines: set[int]) -> dict[int, str]:
    """Choices by row (the file's line number) → action; raises RuleViolation (choices)."""
    out = {}
    for key, action in (choices or {}).items():
        try:
            line = int(key)
        except (TypeError, ValueError):
            line = None
        if line not in lines:
            raise RuleViolation(f"Eine Zeile {key} gibt es in dieser Datei nicht.", field="choices")
        if action not in ACTIONS:
            raise RuleViolation(
                f"Zeile {key}: „{action}“ ist keine Wahl (möglich: create, update, skip).",
                field="choices",
            )
        out[line] = action
    return out


def counts(rows: list[dict]) -> dict:
    """How many rows have each verdict."""
    out = {v: 0 for v in VERDICTS}
    for row in rows:
        out[row["verdict"]] += 1
    out["total"] = len(rows)
    return out


def update_values(kind: str, values: dict, verdict: dict) -> dict:
    """What an update writes: the row's non-empty cells; a duplicate found by its dedup keys
    keeps the record's own name."""
    if verdict["verdict"] == "duplicate" and kind in ("partners", "contacts"):
        return {k: v for k, v in values.items() if k != "name"}
    return dict(values)
