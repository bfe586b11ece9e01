"""SQL of the events service. Every function runs inside the caller's unit of work."""

from __future__ import annotations

import json

from services.events import domain
from shared.db import get_by_id
from shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from shared.messaging import add_event

SERVICE = "events"


def upsert_partner(conn, tenant: str, partner: dict) -> None:
    conn.execute(
        """
        insert into partner_copies (tenant, partner_id, name, email, status)
        values (%s, %s, %s, %s, %s)
        on conflict (tenant, partner_id) do update
           set name = excluded.name, email = excluded.email, status = excluded.status, updated_at = now()
        """,
        (
            tenant,
            partner["id"],
            partner["name"],
            partner.get("email"),
            partner.get("status", "active"),
        ),
    )


# --- Events and agendas --------------------------------------------------------

EVENT_COLUMNS = (
    "kind body working_group_id title description starts_at ends_at place online_url public".split()
)


def _str(value):
    return json.loads(json.dumps(value, default=str))


def create_event(conn, tenant: str, data: dict) -> dict:
    cols = [c for c in EVENT_COLUMNS if c in data]
    row = conn.execute(
        f"insert into events (tenant, {', '.join(cols)}) values (%s, {', '.join(['%s'] * len(cols))}) returning *",
        (tenant, *[data[c] for c in cols]),
    ).fetchone()
    add_event(conn, SERVICE, tenant, "event", "planned", _str(_summary(row)), str(row["id"]))
    return row


def _summary(e: dict) -> dict:
    return {
        k: e[k]
        for k in (
            "id",
            "kind",
            "body",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "public",
            "status",
            "sequence",
        )
    }


def get_event(conn, event_id, lock: bool = False) -> dict:
    return get_by_id(
        conn,
        "events",
        event_id,
        f"Einen Termin {event_id} gibt es nicht.",
        "update" if lock else None,
    )


def update_event(conn, tenant: str, event_id, data: dict) -> dict:
    old = get_event(conn, event_id, lock=True)
    cols = [c for c in (*EVENT_COLUMNS, "status") if c in data]
    if not cols:
        return old
    sets = ", ".join(f"{c} = %s" for c in cols)
    row = conn.execute(
        f"update events set {sets}, sequence = sequence + 1 where id = %s returning *",
        (*[data[c] for c in cols], event_id),
    ).fetchone()
    kind = (
        "cancelled"
        if data.get("status") == "cancelled" and old["status"] != "cancelled"
        else "changed"
    )
    add_event(
        conn,
        SERVICE,
        tenant,
        "event",
        kind,
        _str({**_summary(row), "recipients": invitees(conn, event_id)}),
        str(event_id),
    )
    return row


def list_events(conn, *, public_only: bool, body=None, kind=None, since=None) -> list[dict]:
    where, args = [], []
    if public_only:
        where.append("public")
    for col, val in (("body", body), ("kind", kind)):
        if val:
            where.append(f"{col} = %s")
            args.append(val)
    if since:
        where.append("starts_at >= %s")
        args.append(since)
    clause = ("where " + " and ".join(where)) if where else ""
    return conn.execute(f"select * from events {clause} order by starts_at", args).fetchall()


def agenda(conn, event_id) -> list[dict]:
    return conn.execute(
        "select * from agenda_items where event_id = %s order by position", (event_id,)
    ).fetchall()


def add_agenda_item(conn, tenant: str, event_id, item: dict) -> dict:
    position = conn.execute(
        "select coalesce(max(position), 0) + 1 as p from agenda_items where event_id = %s",
        (event_id,),
    ).fetchone()["p"]
    return conn.execute(
        """
        insert into agenda_items (tenant, event_id, position, title, minutes, presenter, kind, ballot_id, partner_id, submission_id)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning *
        """,
        (
            tenant,
            event_id,
            position,
            item["title"],
            item.get("minutes"),
            item.get("presenter"),
            item.get("kind", "topic"),
            item.get("ballot_id"),
            item.get("partner_id"),
            item.get("submission_id"),
        ),
    ).fetchone()


def replace_agenda(conn, tenant: str, event_id, items: list[dict]) -> list[dict]:
    """Set the agenda; introduction items and accepted submissions are kept unless listed again by id."""
    conn.execute("delete from agenda_items where event_id = %s", (event_id,))
    for item in items:
        add_agenda_item(conn, tenant, event_id, item)
    return agenda(conn, event_id)


def publish_agenda(conn, tenant: str, event_id) -> dict:
    row = conn.execute(
        "update events set agenda_published_at = now(), sequence = sequence + 1 where id = %s returning *",
        (event_id,),
    ).fetchone()
    add_event(
        conn,
        SERVICE,
        tenant,
        "agenda",
        "published",
        _str(
            {
                **_summary(row),
                "agenda": agenda(conn, event_id),
                "recipients": invitees(conn, event_id),
            }
        ),
        str(event_id),
    )
    return row


# --- Topic submissions, invitations, replies ------------------------------------


def submit_topic(conn, tenant: str, event_id, data: dict, by: str, partner_id) -> dict:
    row = conn.execute(
        "insert into topic_submissions (tenant, event_id, title, description, submitted_by, partner_id)"
        " values (%s, %s, %s, %s, %s, %s) returning *",
        (tenant, event_id, data["title"], data.get("description"), by, partner_id),
    ).fetchone()
    add_event(conn, SERVICE, tenant, "topic_submission", "submitted", _str(row), str(row["id"]))
    return row


def decide_topic(conn, tenant: str, event_id, submission_id, accepted: bool, reason) -> dict:
    sub = conn.execute(
        "select * from topic_submissions where id = %s and event_id = %s for update",
        (submission_id, event_id),
    ).fetchone()
    if sub is None:
        raise NotFound(f"Einen Themenvorschlag {submission_id} gibt es nicht.")
    if sub["status"] != "submitted":
        raise Conflict(f"Über diesen Vorschlag ist schon entschieden ({sub['status']}).")
    if not accepted and not (reason or "").strip():
        raise RuleViolation("Eine Ablehnung braucht eine Begründung.", field="reason")
    row = conn.execute(
        "update topic_submissions set status = %s, reason = %s where id = %s returning *",
        ("accepted" if accepted else "declined", reason, submission_id),
    ).fetchone()
    if accepted:
        add_agenda_item(
            conn,
            tenant,
            event_id,
            {
                "title": sub["title"],
                "kind": "topic",
                "presenter": sub["submitted_by"],
                "submission_id": sub["id"],
            },
        )
    add_event(conn, SERVICE, tenant, "topic_submission", "decided", _str(row), str(row["id"]))
    return row


def list_submissions(conn, event_id) -> list[dict]:
    return conn.execute(
        "select * from topic_submissions where event_id = %s order by created_at", (event_id,)
    ).fetchall()


def invite(conn, tenant: str, event_id, people: list[dict], via: str) -> int:
    n = 0
    for p in people:
        row = conn.execute(
            "insert into invitations (tenant, event_id, invitee, name, email, via) values (%s, %s, %s, %s, %s, %s)"
            " on conflict do nothing returning invitee",
            (tenant, event_id, p["invitee"], p["name"], p.get("email"), via),
        ).fetchone()
        n += row is not None
    event = conn.execute(
        "update events set status = case when status = 'planned' then 'invited' else status end"
        " where id = %s returning *",
        (event_id,),
    ).fetchone()
    add_event(
        conn,
        SERVICE,
        tenant,
        "event",
        "invited",
        _str({**_summary(event), "agenda": agenda(conn, event_id), "recipients": people}),
        str(event_id),
    )
    return n


def invitees(conn, event_id) -> list[dict]:
    return conn.execute(
        "select invitee, name, email, via, answer, answered_at from invitations where event_id = %s order by name",
        (event_id,),
    ).fetchall()


def reply(conn, event_id, invitee: str, answer: str) -> dict:
    row = conn.execute(
        "update invitations set answer = %s, answered_at = now() where event_id = %s and invitee = %s returning *",
        (answer, event_id, invitee),
    ).fetchone()
    if row is None:
        raise Forbidden("Antworten können nur Eingeladene.")
    return row


def partners(conn) -> list[dict]:
    return conn.execute(
        "select partner_id, name, email from partner_copies where status = 'active' order by name"
    ).fetchall()


# --- Introductions ------------------------------------------------------------------


def schedule_introduction(conn, tenant: str, partner: dict, rules: dict, now) -> dict:
    """Give an admitted partner an agenda slot at the next suitable network event, or a pending slot."""
    intro = rules["membership"]["introduction"]
    conn.execute(
        "insert into introductions (tenant, partner_id, name, email, status) values (%s, %s, %s, %s, 'pending')"
        " on conflict (tenant, partner_id) do nothing",
        (
            tenant,
            partner["id"],
            partner["name"],
            (partner.get("contact") or {}).get("email") or partner.get("email"),
        ),
    )
    row = conn.execute(
        "select * from introductions where partner_id = %s for update", (partner["id"],)
    ).fetchone()
    if row["status"] == "scheduled":
        return row
    candidates = list_events(conn, public_only=False, kind=intro["event_kind"], since=now)
    event = domain.introduction_event(candidates, intro["event_kind"], intro["lead_days"], now)
    if event is None:
        return row
    item = add_agenda_item(
        conn,
        tenant,
        event["id"],
        {
            "title": f"Vorstellung: {row['name']}",
            "kind": "introduction",
            "minutes": intro["minutes"],
            "presenter": row["name"],
            "partner_id": row["partner_id"],
        },
    )
    row = conn.execute(
        "update introductions set status = 'scheduled', event_id = %s, agenda_item_id = %s"
        " where partner_id = %s returning *",
        (event["id"], item["id"], row["partner_id"]),
    ).fetchone()
    add_event(
        conn,
        SERVICE,
        tenant,
        "introduction",
        "scheduled",
        _str(
            {
                "partner_id": row["partner_id"],
                "name": row["name"],
                "email": row["email"],
                "event": _summary(event),
                "minutes": intro["minutes"],
            }
        ),
        row["partner_id"],
    )
    return row


def pending_introductions(conn) -> list[dict]:
    return conn.execute("select * from introductions where status = 'pending'").fetchall()


def introduction_of(conn, partner_id: str) -> dict | None:
    return conn.execute(
        "select * from introductions where partner_id = %s", (partner_id,)
    ).fetchone()


# --- Minutes --------------------------------------------------------------------------


def get_minutes(conn, event_id) -> dict:
    row = conn.execute("select * from minutes where event_id = %s", (event_id,)).fetchone()
    return row or {
        "event_id": event_id,
        "status": "draft",
        "attendees": [],
        "notes": [],
        "decisions": [],
    }


def save_minutes(conn, tenant: str, event_id, data: dict) -> dict:
    current = get_minutes(conn, event_id)
    if current["status"] != "draft":
        raise Conflict(
            f"Das Protokoll ist {current['status']} und kann nicht mehr geändert werden."
        )
    decisions = []
    for ballot_id in data.get("ballot_ids", []):
        res = conn.execute(
            "select data from ballot_results where ballot_id = %s", (str(ballot_id),)
        ).fetchone()
        if res is None:
            raise RuleViolation(
                f"Zur Abstimmung {ballot_id} liegt noch kein Ergebnis vor.", field="ballot_ids"
            )
        decisions.append(res["data"])
    return conn.execute(
        """
        insert into minutes (tenant, event_id, attendees, notes, decisions) values (%s, %s, %s, %s, %s)
        on conflict (event_id) do update set attendees = excluded.attendees, notes = excluded.notes,
               decisions = excluded.decisions, updated_at = now()
        returning *
        """,
        (
            tenant,
            event_id,
            json.dumps(data.get("attendees", [])),
            json.dumps(_str(data.get("notes", []))),
            json.dumps(decisions),
        ),
    ).fetchone()


def advance_minutes(conn, tenant: str, event_id, to: str, by: str) -> dict:
    current = get_minutes(conn, event_id)
    order = {"draft": "approved", "approved": "published"}
    if order.get(current["status"]) != to:
        raise Conflict(
            f"Das Protokoll ist {current['status']}; als Nächstes kommt {order.get(current['status'], 'nichts')}."
        )
    row = conn.execute(
        "update minutes set status = %s, approved_by = coalesce(approved_by, %s),"
        " published_at = case when %s = 'published' then now() else published_at end, updated_at = now()"
        " where event_id = %s returning *",
        (to, by, to, event_id),
    ).fetchone()
    if to == "published":
        event = get_event(conn, event_id)
        add_event(
            conn,
            SERVICE,
            tenant,
            "minutes",
            "published",
            _str(
                {
                    **_summary(event),
                    "decisions": row["decisions"],
                    "recipients": invitees(conn, event_id),
                }
            ),
            str(event_id),
        )
    return row


def keep_ballot_result(conn, tenant: str, data: dict) -> None:
    conn.execute(
        "insert into ballot_results (tenant, ballot_id, data) values (%s, %s, %s)"
        " on conflict (tenant, ballot_id) do update set data = excluded.data",
        (tenant, str(data["ballot_id"]), json.dumps(data)),
    )


# --- Cadence ----------------------------------------------------------------------------


def last_and_next(conn, *, kind: str | None, body: str | None, now) -> tuple:
    where, args = ["status <> 'cancelled'"], []
    if kind:
        where.append("kind = %s")
        args.append(kind)
    if body:
        where.append("body = %s")
        args.append(body)
    clause = " and ".join(where)
    last = conn.execute(
        f"select max(starts_at) as t from events where {clause} and starts_at <= %s", (*args, now)
    ).fetchone()["t"]
    nxt = conn.execute(
        f"select min(starts_at) as t from events where {clause} and starts_at > %s", (*args, now)
    ).fetchone()["t"]
    return last, nxt


def note_once(
    conn, tenant: str, rule: str, day, status: str, aggregate: str, event: str, data: dict
) -> bool:
    """Publish an event once per rule, day and status (cadence due, consultation opened or closed)."""
    row = conn.execute(
        "insert into cadence_notices (tenant, rule, due_on, status) values (%s, %s, %s, %s)"
        " on conflict do nothing returning rule",
        (tenant, rule, day, status),
    ).fetchone()
    if row is not None:
        add_event(conn, SERVICE, tenant, aggregate, event, _str(data), rule)
    return row is not None


# --- Consultations ---------------------------------------------------------------------


def create_consultation(conn, tenant: str, data: dict) -> dict:
    row = conn.execute(
        "insert into consultations (tenant, title, opens, closes, topics, anonymous) values (%s, %s, %s, %s, %s, %s) returning *",
        (tenant, data["title"], data["opens"], data["closes"], data["topics"], data["anonymous"]),
    ).fetchone()
    add_event(conn, SERVICE, tenant, "consultation", "created", _str(row), str(row["id"]))
    return row


def get_consultation(conn, consultation_id) -> dict:
    return get_by_id(
        conn, "consultations", consultation_id, f"Eine Beteiligung {consultation_id} gibt es nicht."
    )


def list_consultations(conn) -> list[dict]:
    return conn.execute("select * from consultations order by opens desc").fetchall()


def add_idea(conn, tenant: str, consultation_id, data: dict, author) -> dict:
    return conn.execute(
        "insert into ideas (tenant, consultation_id, topic, text, author) values (%s, %s, %s, %s, %s) returning *",
        (tenant, consultation_id, data["topic"], data["text"], author),
    ).fetchone()


def ideas(conn, consultation_id, *, published_only: bool) -> list[dict]:
    extra = " and status = 'published'" if published_only else ""
    return conn.execute(
        f"select * from ideas where consultation_id = %s{extra} order by created_at",
        (consultation_id,),
    ).fetchall()


def moderate(conn, consultation_id, idea_id, status: str, reason) -> dict:
    if status == "hidden" and not (reason or "").strip():
        raise RuleViolation("Wer eine Idee ausblendet, nennt den Grund.", field="reason")
    row = conn.execute(
        "update ideas set status = %s, hidden_reason = %s where id = %s and consultation_id = %s returning *",
        (status, reason if status == "hidden" else None, idea_id, consultation_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"Eine Idee {idea_id} gibt es nicht.")
    return row


def idea_counts(conn, consultation_id) -> list[dict]:
    return conn.execute(
        "select topic, count(*) as ideas, count(*) filter (where status = 'published') as published,"
        " count(*) filter (where status = 'hidden') as hidden from ideas where consultation_id = %s group by topic order by topic",
        (consultation_id,),
    ).fetchall()


def upsert_body_member(conn, tenant: str, d: dict) -> None:
    conn.execute(
        "insert into body_member_copies (tenant, body, person_id, name, email) values (%s, %s, %s, %s, %s)"
        " on conflict (tenant, body, person_id) do update set name = excluded.name, email = excluded.email",
        (tenant, d["body"], d["person_id"], d["name"], d.get("email")),
    )


def remove_body_member(conn, body: str, person_id: str) -> None:
    conn.execute(
        "delete from body_member_copies where body = %s and person_id = %s", (body, person_id)
    )


def body_members(conn, body: str) -> list[dict]:
    return conn.execute(
        "select person_id, name, email from body_member_copies where body = %s order by name",
        (body,),
    ).fetchall()


# --- Time polls ---------------------------------------------------------------------


def create_poll(conn, tenant: str, body: str, title: str, slots: list) -> dict:
    poll = conn.execute(
        "insert into polls (tenant, body, title) values (%s, %s, %s) returning *",
        (tenant, body, title),
    ).fetchone()
    for s in slots:
        conn.execute(
            "insert into poll_options (tenant, poll_id, starts_at, ends_at) values (%s, %s, %s, %s)",
            (tenant, poll["id"], s["starts_at"], s["ends_at"]),
        )
    return poll


def get_poll(conn, poll_id, lock: bool = False) -> dict:
    return get_by_id(
        conn,
        "polls",
        poll_id,
        f"Eine Terminumfrage {poll_id} gibt es nicht.",
        "update" if lock else None,
    )


def poll_view(conn, poll: dict) -> dict:
    options = conn.execute(
        "select * from poll_options where poll_id = %s order by starts_at", (poll["id"],)
    ).fetchall()
    answers = conn.execute(
        "select option_id, person_id, answer from poll_answers where poll_id = %s", (poll["id"],)
    ).fetchall()
    for o in options:
        mine = [a["answer"] for a in answers if a["option_id"] == o["id"]]
        o["yes"], o["maybe"], o["no"] = mine.count("yes"), mine.count("maybe"), mine.count("no")
    return {**poll, "options": options, "answers": answers}


def answer_poll(conn, tenant: str, poll: dict, person_id: str, answers: list[dict]) -> None:
    if poll["status"] != "open":
        raise Conflict("Die Terminumfrage ist geschlossen.")
    if (
        conn.execute(
            "select 1 from body_member_copies where body = %s and person_id = %s",
            (poll["body"], person_id),
        ).fetchone()
        is None
    ):
        raise Forbidden("Antworten können nur Mitglieder des Gremiums.")
    valid = {
        o["id"]
        for o in conn.execute(
            "select id from poll_options where poll_id = %s", (poll["id"],)
        ).fetchall()
    }
    for a in answers:
        if a["option_id"] not in valid:
            raise RuleViolation(
                f"Der Termin {a['option_id']} gehört nicht zu dieser Umfrage.", field="answers"
            )
        conn.execute(
            "insert into poll_answers (tenant, poll_id, option_id, person_id, answer) values (%s, %s, %s, %s, %s)"
            " on conflict (tenant, option_id, person_id) do update set answer = excluded.answer",
            (tenant, poll["id"], a["option_id"], person_id, a["answer"]),
        )


def close_poll(conn, poll_id, chosen, event_id) -> dict:
    return conn.execute(
        "update polls set status = 'closed', chosen = %s, event_id = %s where id = %s returning *",
        (chosen, event_id, poll_id),
    ).fetchone()


# --- Participation processes ------------------------------------------------------------


def create_process(conn, tenant: str, data: dict) -> dict:
    proc = conn.execute(
        "insert into processes (tenant, title, description) values (%s, %s, %s) returning *",
        (tenant, data["title"], data.get("description")),
    ).fetchone()
    for i, ph in enumerate(data["phases"], start=1):
        if ph.get("event_id"):
            get_event(conn, ph["event_id"])
        if ph.get("consultation_id"):
            get_consultation(conn, ph["consultation_id"])
        conn.execute(
            "insert into process_phases (tenant, process_id, position, title, kind, event_id, consultation_id, starts_on, ends_on)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                tenant,
                proc["id"],
                i,
                ph["title"],
                ph["kind"],
                ph.get("event_id"),
                ph.get("consultation_id"),
                ph.get("starts_on"),
                ph.get("ends_on"),
            ),
        )
    return proc


def get_process(conn, process_id) -> dict:
    proc = conn.execute("select * from processes where id = %s", (process_id,)).fetchone()
    if proc is None:
        raise NotFound(f"Einen Beteiligungsprozess {process_id} gibt es nicht.")
    phases = conn.execute(
        """
        select p.position, p.title, p.kind, p.event_id, p.consultation_id,
               coalesce(p.starts_on, (e.starts_at at time zone 'Europe/Berlin')::date, c.opens) as starts_on,
               coalesce(p.ends_on, (e.ends_at at time zone 'Europe/Berlin')::date, c.closes) as ends_on,
               e.status as event_status
          from process_phases p
          left join events e on e.id = p.event_id
          left join consultations c on c.id = p.consultation_id
         where p.process_id = %s order by p.position
        """,
        (process_id,),
    ).fetchall()
    return {**proc, "phases": phases}


def list_processes(conn) -> list[dict]:
    return conn.execute("select * from processes order by created_at desc").fetchall()


# --- Working-group members (copy) ----------------------------------------------------------


def upsert_group_member(conn, tenant: str, d: dict) -> None:
    conn.execute(
        "insert into group_member_copies (tenant, working_group_id, person_id, name, partner_id) values (%s, %s, %s, %s, %s)"
        " on conflict (tenant, working_group_id, person_id) do update set name = excluded.name, partner_id = excluded.partner_id",
        (tenant, str(d["working_group_id"]), d["person_id"], d["name"], d.get("partner_id")),
    )


def remove_group_member(conn, d: dict) -> None:
    conn.execute(
        "delete from group_member_copies where working_group_id = %s and person_id = %s",
        (str(d["working_group_id"]), d["person_id"]),
    )


def group_members(conn, group_id: str) -> list[dict]:
    """A working group's members, with their partner's e-mail where known."""
    return conn.execute(
        """
        select g.person_id, g.name, p.email from group_member_copies g
          left join partner_copies p on p.partner_id::text = g.partner_id
         where g.working_group_id = %s order by g.name
        """,
        (str(group_id),),
    ).fetchall()


def cadence_report(conn, rules: dict, now) -> list[dict]:
    """Each cadence rule with its last and next occurrence and its status."""
    report = []
    for r in domain.cadence_rules(rules):
        last, nxt = last_and_next(conn, kind=r["kind"], body=r["body"], now=now)
        status, due = domain.cadence_status(r["every_months"], last, nxt, now)
        report.append({**r, "last": last, "next": nxt, "due": due, "status": status})
    return report
