"""Use cases of planning: cadence, schedule proposals, time polls, participation processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from knotenpunkt.services.events.domain import planning as domain
from knotenpunkt.services.events.handlers.meetings import record_event
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.usecase import Context, emit

# --- Commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnounceDueCadences:
    """Announce each cadence rule that became due or overdue (once per rule, day and status)."""


@dataclass(frozen=True)
class OpenPoll:
    body: str
    title: str
    from_: date
    to: date
    max_options: int = 6


@dataclass(frozen=True)
class AnswerPoll:
    poll_id: UUID
    person_id: str
    answers: tuple = ()


@dataclass(frozen=True)
class ClosePoll:
    poll_id: UUID
    create_event: bool = True
    place: str | None = None


@dataclass(frozen=True)
class CreateProcess:
    title: str
    phases: tuple
    description: str | None = None


# --- Cadence and proposals -------------------------------------------------------------


def cadence(conn, ctx: Context) -> list[dict]:
    """Each cadence rule with its last and next meeting, due date and status; raises nothing."""
    report = []
    for r in domain.cadence_rules(ctx.rules):
        last, nxt = ctx.store.planning.last_and_next(
            conn, kind=r["kind"], body=r["body"], now=ctx.now
        )
        status, due = domain.cadence_status(
            r["every_months"], last, nxt, ctx.now, r["due_within_days"]
        )
        report.append({**r, "last": last, "next": nxt, "due": due, "status": status})
    return report


def announce_due_cadences(cmd: AnnounceDueCadences, conn, ctx: Context) -> int:
    """Publish events.cadence.due once per rule, day and status; returns how many; raises nothing."""
    announced = 0
    for r in cadence(conn, ctx):
        if r["status"] not in domain.CADENCE_ALERTS:
            continue
        due_on = (r["due"] or ctx.now).date()
        if ctx.store.planning.note_once(conn, ctx.tenant.key, r["rule"], due_on, r["status"]):
            emit(conn, ctx, "cadence", "due", domain.cadence_notice(r), r["rule"])
            announced += 1
    return announced


def proposals(conn, ctx: Context, *, body: str, from_: date, to: date) -> list[domain.Slot]:
    """Dates between from_ and to that satisfy the body's rules; raises NotFound (body)."""
    found = ctx.tenant.body_or_404(body)
    last, _ = ctx.store.planning.last_and_next(conn, kind=None, body=found["key"], now=ctx.now)
    return domain.proposals(found["meeting"], from_, to, last, ctx.tz)


# --- Time polls ---------------------------------------------------------------------------


def _poll_view(conn, ctx: Context, poll: dict, person_id: str | None = None) -> dict:
    options = ctx.store.planning.poll_options(conn, poll["id"])
    answers = ctx.store.planning.poll_answers(conn, poll["id"])
    return {
        **poll,
        "options": domain.count_answers(options, answers),
        "answers": answers,
        "respondents": domain.respondents(answers),
        "my_answers": domain.answers_by(answers, person_id),
    }


def open_poll(cmd: OpenPoll, conn, ctx: Context) -> dict:
    """Open a time poll over the dates the body's rules allow; raises NotFound (body), RuleViolation (no such date in the range)."""
    body = ctx.tenant.body_or_404(cmd.body)
    last, _ = ctx.store.planning.last_and_next(conn, kind=None, body=body["key"], now=ctx.now)
    slots = domain.proposals(
        body["meeting"], cmd.from_, cmd.to, last, ctx.tz, limit=cmd.max_options
    )
    domain.ensure_slots(slots)
    poll = ctx.store.planning.create_poll(
        conn,
        ctx.tenant.key,
        body["key"],
        cmd.title,
        [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in slots],
    )
    return _poll_view(conn, ctx, poll)


def poll(conn, ctx: Context, poll_id, *, caller: Principal | None = None) -> dict:
    """A poll with its options, the answers per option and the caller's own; raises NotFound."""
    return _poll_view(
        conn, ctx, ctx.store.planning.get_poll(conn, poll_id), caller.person if caller else None
    )


def polls(conn, ctx: Context, *, caller: Principal, body=None, status=None) -> list[dict]:
    """Polls, newest first (of a body, of a status), each with the caller's answers; raises NotFound (body)."""
    if body is not None:
        ctx.tenant.body_or_404(body)
    return [
        _poll_view(conn, ctx, p, caller.person)
        for p in ctx.store.planning.list_polls(conn, body=body, status=status)
    ]


def answer_poll(cmd: AnswerPoll, conn, ctx: Context) -> dict:
    """Answer yes, maybe or no per option (answering again changes); raises NotFound, Conflict (closed), Forbidden (not in the body), RuleViolation (foreign option)."""
    found = ctx.store.planning.get_poll(conn, cmd.poll_id)
    valid = {o["id"] for o in ctx.store.planning.poll_options(conn, found["id"])}
    member = ctx.store.copies.is_body_member(conn, found["body"], cmd.person_id)
    domain.ensure_poll_answerable(found, member, valid, list(cmd.answers))
    for a in cmd.answers:
        ctx.store.planning.save_poll_answer(
            conn, ctx.tenant.key, found["id"], cmd.person_id, a["option_id"], a["answer"]
        )
    return _poll_view(conn, ctx, found, cmd.person_id)


def close_poll(cmd: ClosePoll, conn, ctx: Context) -> dict:
    """Choose the best date (fewest no) and, when asked, plan the meeting (events.event.planned); raises NotFound, Conflict (closed already)."""
    found = ctx.store.planning.get_poll(conn, cmd.poll_id, lock=True)
    domain.ensure_poll_open(found)
    view = _poll_view(conn, ctx, found)
    best = domain.best_option(view["options"], view["answers"])
    event_id = None
    if cmd.create_event and best:
        body = ctx.tenant.body_or_404(found["body"])
        event = record_event(
            conn,
            ctx,
            {
                "kind": "body_meeting",
                "body": found["body"],
                "title": f"Sitzung {body['name']}",
                "starts_at": best["starts_at"],
                "ends_at": best["ends_at"],
                "place": cmd.place,
            },
        )
        event_id = event["id"]
    ctx.store.planning.close_poll(conn, cmd.poll_id, best["id"] if best else None, event_id)
    return _poll_view(conn, ctx, ctx.store.planning.get_poll(conn, cmd.poll_id))


# --- Participation processes ----------------------------------------------------------------


def _process(conn, ctx: Context, process_id, caller: Principal | None = None) -> dict:
    """A process with its phases; without a caller who may read internal data no non-public event."""
    proc = ctx.store.planning.get_process(conn, process_id)
    phases = ctx.store.planning.phases(conn, process_id, ctx.rules["timezone"])
    if caller is not None and not may(caller, "internal"):
        phases = domain.public_phases(phases)
    current = domain.current_phase(phases, ctx.now.astimezone(ctx.tz).date())
    return {**proc, "phases": phases, "current_phase": current["position"] if current else None}


def processes(conn, ctx: Context, *, caller: Principal) -> list[dict]:
    """Every process with its phases and current phase, newest first, as the caller may see it; raises nothing."""
    return [_process(conn, ctx, p["id"], caller) for p in ctx.store.planning.list_processes(conn)]


def process(conn, ctx: Context, process_id, *, caller: Principal) -> dict:
    """A process with its phases and current phase, as the caller may see it; raises NotFound."""
    return _process(conn, ctx, process_id, caller)


def create_process(cmd: CreateProcess, conn, ctx: Context) -> dict:
    """Create a process with ordered phases; raises NotFound (a phase's event or consultation)."""
    for ph in cmd.phases:
        if ph.get("event_id"):
            ctx.store.meetings.get_event(conn, ph["event_id"])
        if ph.get("consultation_id"):
            ctx.store.consultations.get_consultation(conn, ph["consultation_id"])
    proc = ctx.store.planning.create_process(conn, ctx.tenant.key, cmd.title, cmd.description)
    for position, ph in enumerate(cmd.phases, start=1):
        ctx.store.planning.add_phase(conn, ctx.tenant.key, proc["id"], position, ph)
    return _process(conn, ctx, proc["id"])
