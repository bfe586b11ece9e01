"""SQL of a person's requests (DSGVO) and of retention in events. Runs inside the caller's unit
of work."""

from __future__ import annotations

from psycopg import sql

from knotenpunkt.shared.privacy import json_replacements, replace_in_jsonb

# Tables whose rows name the person by id or e-mail address: (table, the condition).
_BY_PERSON = {
    "invitations": "invitee = any(%(p)s) or lower(email) = lower(%(e)s)",
    "poll_answers": "person_id = any(%(p)s)",
    "topic_submissions": "submitted_by = any(%(p)s)",
    "body_member_copies": "person_id = any(%(p)s) or lower(email) = lower(%(e)s)",
    "group_member_copies": "person_id = any(%(p)s) or name = any(%(n)s)",
    "partner_copies": "lower(email) = lower(%(e)s)",
    "introductions": "lower(email) = lower(%(e)s)",
    "ideas": "author = any(%(n)s) or author = any(%(p)s) or lower(author) = lower(%(e)s)",
    "agenda_items": "presenter = any(%(n)s)",
}
# jsonb columns that may carry the person's name or id inside (attendance, results, dissent).
_JSON = (("minutes", "attendees"), ("minutes", "notes"), ("minutes", "decisions"))
_JSON += (("ballot_results", "data"),)


def _args(email, person_ids, names) -> dict:
    return {"e": email or "", "p": list(person_ids), "n": list(names)}


def rows_of(conn, email, person_ids, names) -> dict[str, list[dict]]:
    """Every row naming the person, per table (the jsonb columns by text)."""
    args = _args(email, person_ids, names)
    out = {
        table: conn.execute(
            sql.SQL("select * from {} where " + cond).format(sql.Identifier(table)), args
        ).fetchall()
        for table, cond in _BY_PERSON.items()
    }
    out["minutes"] = conn.execute(
        "select * from minutes where taken_by = any(%(n)s)", args
    ).fetchall()
    needles = [x.lower() for x in (*person_ids, *names) if x]
    for table, column in _JSON:
        out.setdefault(table, []).extend(
            conn.execute(
                sql.SQL(
                    "select * from {t} where exists (select 1 from unnest(%(x)s::text[]) n"
                    " where position(n in lower({c}::text)) > 0)"
                ).format(t=sql.Identifier(table), c=sql.Identifier(column)),
                {"x": needles},
            ).fetchall()
        )
    return out


def erase(conn, email, person_ids, names, pseudonym: str, erased_name: str) -> dict:
    """Anonymise replies, attendance and poll answers, delete copies and authorship; returns how
    many rows per table."""
    a = {**_args(email, person_ids, names), "x": pseudonym, "name": erased_name}
    c = _BY_PERSON
    counts = {
        "invitations": conn.execute(
            "update invitations set invitee = %(x)s, name = %(name)s, email = null where "
            + c["invitations"],
            a,
        ).rowcount,
        "poll_answers": conn.execute(
            "update poll_answers set person_id = %(x)s where " + c["poll_answers"], a
        ).rowcount,
        "topic_submissions": conn.execute(
            "update topic_submissions set submitted_by = %(x)s where " + c["topic_submissions"], a
        ).rowcount,
        "ideas": conn.execute("update ideas set author = null where " + c["ideas"], a).rowcount,
        "agenda_items": conn.execute(
            "update agenda_items set presenter = null where " + c["agenda_items"], a
        ).rowcount,
        "partner_copies": conn.execute(
            "update partner_copies set email = null where " + c["partner_copies"], a
        ).rowcount,
        "introductions": conn.execute(
            "update introductions set email = null where " + c["introductions"], a
        ).rowcount,
    }
    for table in ("body_member_copies", "group_member_copies"):
        counts[table] = conn.execute(
            sql.SQL("delete from {} where " + c[table]).format(sql.Identifier(table)), a
        ).rowcount
    # who took the minutes: their name replaced as in the attendance
    counts["minutes"] = conn.execute(
        "update minutes set taken_by = %(name)s where taken_by = any(%(n)s)", a
    ).rowcount
    replacements = json_replacements(names, person_ids, erased_name, pseudonym)
    for table, column in _JSON:
        counts[table] = counts.get(table, 0) + replace_in_jsonb(conn, table, column, replacements)
    return counts


def clear_idea_authors(conn, closed_before) -> int:
    """Delete the author data of ideas whose consultation closed before `closed_before` (a
    date); returns how many."""
    return conn.execute(
        "update ideas i set author = null from consultations c"
        " where c.id = i.consultation_id and c.closes < %s and i.author is not null",
        (closed_before,),
    ).rowcount
