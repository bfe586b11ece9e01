"""SQL of the voting service. Every function runs inside the caller's unit of work."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from psycopg.errors import UniqueViolation

from services.voting import domain
from shared.db import get_by_id
from shared.errors import Conflict, Forbidden
from shared.messaging import add_event


def upsert_voter(conn, tenant: str, body: str, person: dict) -> None:
    conn.execute(
        """
        insert into electorate (tenant, body, person_id, name, email, role)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, body, person_id) do update
           set name = excluded.name, email = excluded.email, role = excluded.role, updated_at = now()
        """,
        (
            tenant,
            body,
            person["person_id"],
            person["name"],
            person.get("email"),
            person.get("role", "member"),
        ),
    )


def remove_voter(conn, body: str, person_id: str) -> None:
    conn.execute("delete from electorate where body = %s and person_id = %s", (body, person_id))


def electorate(conn, body: str) -> list[dict]:
    return conn.execute(
        "select person_id, name, email, role from electorate where body = %s order by name", (body,)
    ).fetchall()


# --- Ballots ------------------------------------------------------------------


SERVICE = "voting"


def _json(value) -> str:
    return json.dumps(value, default=str)


def _str(row: dict) -> dict:
    return json.loads(_json(row))


def open_ballot(conn, tenant: str, body: dict, spec: dict, opened_by: str) -> dict:
    """Open a ballot in a body with the body's rules; the electorate is frozen now.

    Raises Conflict when the subject already has an open ballot.
    """
    subject = spec.get("subject") or {}
    try:
        with conn.transaction():
            ballot = conn.execute(
                """
                insert into ballots (tenant, body, title, text, subject_kind, subject_id, decision_rule, quorum,
                                     reasons_required_for, secret, binding, outcome_to, close_when_all_voted,
                                     deadline, opened_by, electorate_size)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                        (select count(*) from electorate where body = %s))
                returning *
                """,
                (
                    tenant,
                    body["key"],
                    spec["title"],
                    spec.get("text"),
                    subject.get("kind", "general"),
                    subject.get("id"),
                    body["decision_rule"],
                    body["quorum"],
                    body["reasons_required_for"],
                    body["secret"],
                    body["binding"],
                    body.get("outcome_to"),
                    body["close_when_all_voted"],
                    spec["deadline"],
                    opened_by,
                    body["key"],
                ),
            ).fetchone()
    except UniqueViolation as exc:
        raise Conflict("Zu diesem Gegenstand läuft bereits eine Abstimmung.") from exc
    conn.execute(
        """
        insert into ballot_electorate (tenant, ballot_id, person_id, name, email)
        select tenant, %s, person_id, name, email from electorate where body = %s
        """,
        (ballot["id"], body["key"]),
    )
    append(
        conn,
        tenant,
        ballot["id"],
        {
            "type": "opened",
            "at": ballot["opened_at"],
            "rule": ballot["decision_rule"],
            "electorate": ballot["electorate_size"],
            "deadline": ballot["deadline"],
        },
    )
    voters = conn.execute(
        "select person_id, name, email from ballot_electorate where ballot_id = %s order by person_id",
        (ballot["id"],),
    ).fetchall()
    add_event(
        conn,
        SERVICE,
        tenant,
        "ballot",
        "opened",
        _str({**_summary(ballot), "electorate": voters}),
        str(ballot["id"]),
    )
    return ballot


def _summary(ballot: dict) -> dict:
    return {
        "ballot_id": ballot["id"],
        "body": ballot["body"],
        "title": ballot["title"],
        "text": ballot["text"],
        "subject": {"kind": ballot["subject_kind"], "id": ballot["subject_id"]},
        "decision_rule": ballot["decision_rule"],
        "binding": ballot["binding"],
        "outcome_to": ballot["outcome_to"],
        "deadline": ballot["deadline"],
        "secret": ballot["secret"],
        "reasons_required_for": ballot["reasons_required_for"],
    }


def get_ballot(conn, ballot_id, lock: str | None = None) -> dict:
    return get_by_id(
        conn, "ballots", ballot_id, f"Eine Abstimmung {ballot_id} gibt es nicht.", lock
    )


def list_ballots(conn, status=None, body=None) -> list[dict]:
    where, args = [], []
    if status:
        where.append("status = %s")
        args.append(status)
    if body:
        where.append("body = %s")
        args.append(body)
    clause = ("where " + " and ".join(where)) if where else ""
    return conn.execute(f"select * from ballots {clause} order by opened_at desc", args).fetchall()


def append(conn, tenant: str, ballot_id, entry: dict) -> None:
    """Add an entry to the ballot's record; the sealer links it into the hash chain."""
    conn.execute(
        "insert into ballot_record (tenant, ballot_id, entry) values (%s, %s, %s)",
        (tenant, ballot_id, _json(entry)),
    )


def seal(conn, ballot_id) -> int:
    """Link the ballot's unsealed entries into its hash chain, in order; returns how many."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtext('ballot-record:' || %s))", (str(ballot_id),)
    )
    last = conn.execute(
        "select seq, hash from ballot_record where ballot_id = %s and seq is not null order by seq desc limit 1",
        (ballot_id,),
    ).fetchone()
    seq, prev = (last["seq"], last["hash"]) if last else (0, None)
    rows = conn.execute(
        "select id, entry from ballot_record where ballot_id = %s and seq is null order by id",
        (ballot_id,),
    ).fetchall()
    for row in rows:
        seq += 1
        h = domain.entry_hash(prev, seq, row["entry"])
        conn.execute(
            "update ballot_record set seq = %s, prev_hash = %s, hash = %s where ballot_id = %s and id = %s",
            (seq, prev, h, ballot_id, row["id"]),
        )
        prev = h
    return len(rows)


def record(conn, ballot_id) -> list[dict]:
    return conn.execute(
        "select seq, entry, prev_hash, hash from ballot_record where ballot_id = %s and seq is not null order by seq",
        (ballot_id,),
    ).fetchall()


def unsealed(conn, ballot_id) -> int:
    return conn.execute(
        "select count(*) as n from ballot_record where ballot_id = %s and seq is null", (ballot_id,)
    ).fetchone()["n"]


def cast(conn, tenant: str, ballot_id, person_id: str, choice: str, reason: str | None) -> dict:
    """Record a member's vote (or change it, in named ballots); closes early when all have voted.

    Raises NotFound, Forbidden (not in the electorate), Conflict (closed, past
    the deadline, or a second vote in a secret ballot), RuleViolation (choice, reason).
    """
    ballot = get_ballot(conn, ballot_id, lock="share")
    domain.ensure_open(ballot, datetime.now(UTC))
    domain.check_vote(ballot, choice, reason)
    voter = conn.execute(
        "select name from ballot_electorate where ballot_id = %s and person_id = %s",
        (ballot_id, person_id),
    ).fetchone()
    if voter is None:
        raise Forbidden(
            "Abstimmen dürfen nur die Mitglieder des Gremiums, die bei Eröffnung dazugehörten."
        )
    if ballot["secret"]:
        took_part = conn.execute(
            "insert into participation (tenant, ballot_id, person_id) values (%s, %s, %s)"
            " on conflict do nothing returning person_id",
            (tenant, ballot_id, person_id),
        ).fetchone()
        if took_part is None:
            raise Conflict(
                "In einer geheimen Abstimmung zählt nur die erste Stimme; sie lässt sich nicht ändern."
            )
        conn.execute(
            "insert into secret_votes (tenant, ballot_id, choice, reason) values (%s, %s, %s, %s)",
            (tenant, ballot_id, choice, reason),
        )
        append(conn, tenant, ballot_id, {"type": "participation", "person_id": person_id})
        voted = conn.execute(
            "select count(*) as n from participation where ballot_id = %s", (ballot_id,)
        ).fetchone()["n"]
        vote = {"person_id": person_id, "choice": None, "secret": True}
    else:
        vote = conn.execute(
            """
            insert into votes (tenant, ballot_id, person_id, choice, reason) values (%s, %s, %s, %s, %s)
            on conflict (tenant, ballot_id, person_id) do update
               set choice = excluded.choice, reason = excluded.reason, cast_at = now(), changes = votes.changes + 1
            returning person_id, choice, reason, cast_at, changes
            """,
            (tenant, ballot_id, person_id, choice, reason),
        ).fetchone()
        append(
            conn,
            tenant,
            ballot_id,
            {"type": "vote", "person_id": person_id, "choice": choice, "reason": reason},
        )
        voted = conn.execute(
            "select count(*) as n from votes where ballot_id = %s", (ballot_id,)
        ).fetchone()["n"]
    if domain.should_close_early(ballot, voted):
        close(conn, tenant, ballot_id, "all_voted")
    return vote


def _votes_for_tally(conn, ballot: dict) -> list[dict]:
    if ballot["secret"]:
        return conn.execute(
            "select choice, reason from secret_votes where ballot_id = %s order by choice, reason, id",
            (ballot["id"],),
        ).fetchall()
    return conn.execute(
        """
        select v.person_id, e.name, v.choice, v.reason
          from votes v join ballot_electorate e on e.ballot_id = v.ballot_id and e.person_id = v.person_id
         where v.ballot_id = %s order by v.person_id
        """,
        (ballot["id"],),
    ).fetchall()


def close(conn, tenant: str, ballot_id, closed_by: str) -> dict | None:
    """Close an open ballot: tally, dissent, record, event ballot.closed. None if not open any more."""
    ballot = get_ballot(conn, ballot_id, lock="update")
    if ballot["status"] != "open":
        return None
    votes = _votes_for_tally(conn, ballot)
    result = domain.tally(
        ballot["decision_rule"],
        float(ballot["quorum"]),
        ballot["electorate_size"],
        [v["choice"] for v in votes],
    )
    outcome = result.pop("outcome")
    dissent = domain.dissent(votes, named=not ballot["secret"])
    if ballot["secret"]:
        append(
            conn,
            tenant,
            ballot_id,
            {
                "type": "secret_votes",
                "votes": [{"choice": v["choice"], "reason": v["reason"]} for v in votes],
            },
        )
    append(
        conn,
        tenant,
        ballot_id,
        {"type": "closed", "by": closed_by, "tally": result, "outcome": outcome},
    )
    ballot = conn.execute(
        """
        update ballots set status = 'closed', closed_at = now(), closed_by = %s, tally = %s, outcome = %s, dissent = %s
         where id = %s returning *
        """,
        (closed_by, _json(result), outcome, _json(dissent), ballot_id),
    ).fetchone()
    seal(conn, ballot_id)
    add_event(
        conn,
        SERVICE,
        tenant,
        "ballot",
        "closed",
        _str(
            {
                **_summary(ballot),
                "outcome": outcome,
                "outcome_text": domain.outcome_text(ballot, outcome),
                "kind": "resolution" if ballot["binding"] else "recommendation",
                "tally": result,
                "dissent": dissent,
                "closed_at": ballot["closed_at"],
                "closed_by": closed_by,
            }
        ),
        str(ballot_id),
    )
    return ballot


def cancel(conn, tenant: str, ballot_id, reason: str) -> None:
    ballot = get_ballot(conn, ballot_id, lock="update")
    if ballot["status"] != "open":
        return
    append(conn, tenant, ballot_id, {"type": "cancelled", "reason": reason})
    conn.execute(
        "update ballots set status = 'cancelled', closed_at = now(), closed_by = %s where id = %s",
        (reason, ballot_id),
    )
    seal(conn, ballot_id)
    add_event(
        conn,
        SERVICE,
        tenant,
        "ballot",
        "cancelled",
        _str({**_summary(ballot), "reason": reason}),
        str(ballot_id),
    )


def voters_status(conn, ballot: dict) -> list[dict]:
    """Who may vote and whether they have (never what they chose)."""
    table = "participation" if ballot["secret"] else "votes"
    return conn.execute(
        f"""
        select e.person_id, e.name, (x.person_id is not null) as voted
          from ballot_electorate e left join {table} x on x.ballot_id = e.ballot_id and x.person_id = e.person_id
         where e.ballot_id = %s order by e.name
        """,
        (ballot["id"],),
    ).fetchall()


def check_record(conn, ballot: dict) -> list[str]:
    """Problems found when the record is recomputed and compared with the stored votes."""
    seal(conn, ballot["id"])
    entries = record(conn, ballot["id"])
    problems = domain.verify_chain(entries)
    if not ballot["secret"]:
        told = domain.replay_named(entries)
        stored = {
            v["person_id"]: {"choice": v["choice"], "reason": v["reason"]}
            for v in conn.execute(
                "select person_id, choice, reason from votes where ballot_id = %s", (ballot["id"],)
            ).fetchall()
        }
        for person in sorted(set(told) | set(stored)):
            if told.get(person) != stored.get(person):
                problems.append(
                    f"Die Stimme von {person} weicht vom Protokoll ab (verändert oder gelöscht)."
                )
    elif ballot["status"] == "closed":
        batch = next(
            (e["entry"]["votes"] for e in entries if e["entry"].get("type") == "secret_votes"), []
        )
        stored = [
            {"choice": v["choice"], "reason": v["reason"]} for v in _votes_for_tally(conn, ballot)
        ]
        if sorted(map(_json, batch)) != sorted(map(_json, stored)):
            problems.append(
                "Die geheimen Stimmen weichen vom Protokoll ab (verändert oder gelöscht)."
            )
    return problems


def due_ballots(conn) -> list[dict]:
    """Open ballots past their deadline, and those every member has voted in (where that closes them).

    The cast closes a ballot itself when it sees the last vote; two last votes
    committing at once may each miss the other, so the worker catches those.
    """
    return conn.execute(
        """
        select b.id, case when b.deadline <= now() then 'deadline' else 'all_voted' end as reason
          from ballots b
         where b.status = 'open'
           and (b.deadline <= now()
                or (b.close_when_all_voted and b.electorate_size > 0 and b.electorate_size <= (
                      select count(*) from votes v where v.ballot_id = b.id)
                             + (select count(*) from participation p where p.ballot_id = b.id)))
        """
    ).fetchall()


def reminders_due(conn, hours: float) -> list[dict]:
    return conn.execute(
        "select * from ballots where status = 'open' and reminder_sent_at is null"
        " and deadline - make_interval(secs => %s) <= now() and deadline > now()",
        (hours * 3600,),
    ).fetchall()


def send_reminder(conn, tenant: str, ballot: dict) -> None:
    pending = [v for v in voters_status(conn, ballot) if not v["voted"]]
    conn.execute("update ballots set reminder_sent_at = now() where id = %s", (ballot["id"],))
    if pending:
        add_event(
            conn,
            SERVICE,
            tenant,
            "ballot",
            "reminder_due",
            _str(
                {
                    **_summary(ballot),
                    "not_voted": [
                        {"person_id": v["person_id"], "name": v["name"]} for v in pending
                    ],
                }
            ),
            str(ballot["id"]),
        )


def open_for_subject(conn, kind: str, subject_id: str) -> dict | None:
    return conn.execute(
        "select * from ballots where subject_kind = %s and subject_id = %s and status = 'open'",
        (kind, subject_id),
    ).fetchone()
