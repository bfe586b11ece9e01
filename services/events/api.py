"""HTTP API of the events service (blueprints under /api/v1/<tenant>/)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.events import domain, store
from services.events.schemas import (
    AgendaIn,
    AgendaItemOut,
    CadenceOut,
    ConsultationIn,
    ConsultationOut,
    EventIn,
    EventOut,
    EventPatch,
    EventQuery,
    IdeaIn,
    IdeaOut,
    InvitationIn,
    InviteeOut,
    MinutesIn,
    MinutesOut,
    ModerationIn,
    PollAnswersIn,
    PollCloseIn,
    PollIn,
    PollOut,
    ProcessIn,
    ProcessOut,
    ProposalQuery,
    ReplyIn,
    SlotOut,
    SubmissionDecisionIn,
    SubmissionIn,
    SubmissionOut,
)
from shared.errors import NotFound, RuleViolation
from shared.ical import ics
from shared.web import ctx, current_tenant, principal, roles

events_bp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/<tenant>/events",
    description="Termine, Tagesordnungen, Einladungen, Protokolle",
)
planning_bp = Blueprint(
    "planning",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Turnus, Terminvorschläge, Kalender",
)
consult_bp = Blueprint(
    "consultations",
    __name__,
    url_prefix="/api/v1/<tenant>/consultations",
    description="Beteiligungen und Ideen",
)
STAFF = ("coordinator", "admin")
SIGNED_IN = ("coordinator", "admin", "member", "partner")


def uow():
    return ctx().database().transaction(current_tenant().key)


def _body(key: str | None) -> dict | None:
    if key is None:
        return None
    body = current_tenant().body(key)
    if body is None:
        raise NotFound(f"Ein Gremium '{key}' gibt es in diesem Netzwerk nicht.")
    return body


def _meeting_rules(kind: str, body_key: str | None) -> dict:
    body = _body(body_key)
    return body["meeting"] if body else {}


def _visible(event: dict) -> None:
    if not event["public"] and principal().anonymous:
        raise NotFound(f"Einen Termin {event['id']} gibt es nicht.")


def _full(conn, event: dict, warnings=()) -> dict:
    return {**event, "agenda": store.agenda(conn, event["id"]), "warnings": list(warnings)}


@events_bp.route("")
class Events(MethodView):
    @events_bp.arguments(EventQuery, location="query")
    @events_bp.response(200, EventOut(many=True))
    def get(self, query, tenant):
        """Termine; ohne Anmeldung nur die öffentlichen."""
        with uow() as conn:
            return store.list_events(conn, public_only=principal().anonymous, **query)

    @roles(*STAFF)
    @events_bp.arguments(EventIn)
    @events_bp.response(201, EventOut)
    def post(self, data, tenant):
        """Einen Termin anlegen. Harte Regeln des Gremiums (Höchstdauer) → 422; verfehlte Vorlieben → Hinweise."""
        warnings = domain.check_meeting(
            _meeting_rules(data["kind"], data["body"]), data["starts_at"], data["ends_at"]
        )
        rules = current_tenant().rules
        with uow() as conn:
            event = store.create_event(conn, tenant, data)
            if data["kind"] == rules["membership"]["introduction"]["event_kind"]:
                now = datetime.now(UTC)
                for intro in store.pending_introductions(conn):
                    store.schedule_introduction(
                        conn,
                        tenant,
                        {"id": intro["partner_id"], "name": intro["name"], "email": intro["email"]},
                        rules,
                        now,
                    )
            return _full(conn, event, warnings)


@events_bp.route("/<uuid:event_id>")
class Event(MethodView):
    @events_bp.response(200, EventOut)
    def get(self, tenant, event_id):
        """Ein Termin mit Tagesordnung."""
        with uow() as conn:
            event = store.get_event(conn, event_id)
            _visible(event)
            return _full(conn, event)

    @roles(*STAFF)
    @events_bp.arguments(EventPatch)
    @events_bp.response(200, EventOut)
    def patch(self, data, tenant, event_id):
        """Einen Termin ändern oder absagen (status: cancelled); Eingeladene werden benachrichtigt."""
        with uow() as conn:
            old = store.get_event(conn, event_id, lock=True)
            merged = {**old, **data}
            warnings = domain.check_meeting(
                _meeting_rules(merged["kind"], merged["body"]),
                merged["starts_at"],
                merged["ends_at"],
            )
            return _full(conn, store.update_event(conn, tenant, event_id, data), warnings)


@events_bp.route("/<uuid:event_id>.ics")
class EventIcs(MethodView):
    @events_bp.response(200, content_type="text/calendar")
    def get(self, tenant, event_id):
        """Der Termin als iCalendar-Datei."""
        with uow() as conn:
            event = store.get_event(conn, event_id)
        _visible(event)
        return _calendar([event], event["title"], f"termin-{event_id}.ics")


@events_bp.route("/<uuid:event_id>/agenda")
class Agenda(MethodView):
    @events_bp.response(200, AgendaItemOut(many=True))
    def get(self, tenant, event_id):
        """Die Tagesordnung."""
        with uow() as conn:
            _visible(store.get_event(conn, event_id))
            return store.agenda(conn, event_id)

    @roles(*STAFF)
    @events_bp.arguments(AgendaIn)
    @events_bp.response(200, AgendaItemOut(many=True))
    def put(self, data, tenant, event_id):
        """Die Tagesordnung setzen (Reihenfolge wie übergeben)."""
        with uow() as conn:
            store.get_event(conn, event_id, lock=True)
            return store.replace_agenda(conn, tenant, event_id, data["items"])


@events_bp.route("/<uuid:event_id>/agenda/publish")
class PublishAgenda(MethodView):
    @roles(*STAFF)
    @events_bp.response(200, EventOut)
    def post(self, tenant, event_id):
        """Die Tagesordnung veröffentlichen; Eingeladene erhalten sie (Ereignis agenda.published)."""
        with uow() as conn:
            store.get_event(conn, event_id, lock=True)
            return _full(conn, store.publish_agenda(conn, tenant, event_id))


@events_bp.route("/<uuid:event_id>/topic-submissions")
class Submissions(MethodView):
    @roles(*STAFF)
    @events_bp.response(200, SubmissionOut(many=True))
    def get(self, tenant, event_id):
        """Eingereichte Themen (Koordinierungsstelle)."""
        with uow() as conn:
            return store.list_submissions(conn, event_id)

    @roles(*SIGNED_IN)
    @events_bp.arguments(SubmissionIn)
    @events_bp.response(201, SubmissionOut)
    def post(self, data, tenant, event_id):
        """Ein Thema für die Tagesordnung einbringen (jedes Netzwerkmitglied)."""
        caller = principal()
        with uow() as conn:
            event = store.get_event(conn, event_id)
            if event["status"] == "cancelled" or event["starts_at"] <= datetime.now(UTC):
                from shared.errors import Conflict

                raise Conflict("Für diesen Termin werden keine Themen mehr angenommen.")
            return store.submit_topic(conn, tenant, event_id, data, caller.sub, caller.partner_id)


@events_bp.route("/<uuid:event_id>/topic-submissions/<uuid:submission_id>/decision")
class SubmissionDecision(MethodView):
    @roles(*STAFF)
    @events_bp.arguments(SubmissionDecisionIn)
    @events_bp.response(200, SubmissionOut)
    def post(self, data, tenant, event_id, submission_id):
        """Ein Thema auf die Tagesordnung nehmen oder mit Begründung ablehnen."""
        with uow() as conn:
            return store.decide_topic(
                conn, tenant, event_id, submission_id, data["accepted"], data["reason"]
            )


@events_bp.route("/<uuid:event_id>/invitations")
class Invitations(MethodView):
    @roles(*STAFF)
    @events_bp.response(200, InviteeOut(many=True))
    def get(self, tenant, event_id):
        """Eingeladene und ihre Antworten (für die Organisierenden)."""
        with uow() as conn:
            return store.invitees(conn, event_id)

    @roles(*STAFF)
    @events_bp.arguments(InvitationIn)
    @events_bp.response(201, InviteeOut(many=True))
    def post(self, data, tenant, event_id):
        """Ein Gremium, alle Partner oder benannte Gäste einladen (Ereignis event.invited)."""
        with uow() as conn:
            store.get_event(conn, event_id, lock=True)
            if data["body"]:
                _body(data["body"])
                people = [
                    {"invitee": m["person_id"], "name": m["name"], "email": m["email"]}
                    for m in store.body_members(conn, data["body"])
                ]
                store.invite(conn, tenant, event_id, people, f"body:{data['body']}")
            if data["working_group_id"]:
                people = [
                    {"invitee": m["person_id"], "name": m["name"], "email": m["email"]}
                    for m in store.group_members(conn, data["working_group_id"])
                ]
                if not people:
                    raise RuleViolation(
                        "Diese Arbeitsgruppe hat (noch) keine Mitglieder.", field="working_group_id"
                    )
                store.invite(
                    conn, tenant, event_id, people, f"working_group:{data['working_group_id']}"
                )
            if data["all_partners"]:
                people = [
                    {"invitee": str(p["partner_id"]), "name": p["name"], "email": p["email"]}
                    for p in store.partners(conn)
                ]
                store.invite(conn, tenant, event_id, people, "partners")
            if data["guests"]:
                people = [
                    {"invitee": g["email"].lower(), "name": g["name"], "email": g["email"]}
                    for g in data["guests"]
                ]
                store.invite(conn, tenant, event_id, people, "guests")
            return store.invitees(conn, event_id)


@events_bp.route("/<uuid:event_id>/replies")
class Replies(MethodView):
    @roles(*STAFF)
    @events_bp.response(200, InviteeOut(many=True))
    def get(self, tenant, event_id):
        """Die Antworten (ja, nein, vielleicht)."""
        with uow() as conn:
            return [i for i in store.invitees(conn, event_id) if i["answer"]]

    @roles(*SIGNED_IN)
    @events_bp.arguments(ReplyIn)
    @events_bp.response(200, InviteeOut)
    def post(self, data, tenant, event_id):
        """Auf die Einladung antworten (als eingeladenes Mitglied oder eingeladener Partner)."""
        caller = principal()
        with uow() as conn:
            mine = {i["invitee"] for i in store.invitees(conn, event_id)}
            who = next((x for x in (caller.sub, caller.partner_id) if x and x in mine), caller.sub)
            return store.reply(conn, event_id, who, data["answer"])


@events_bp.route("/<uuid:event_id>/minutes")
class Minutes(MethodView):
    @events_bp.response(200, MinutesOut)
    def get(self, tenant, event_id):
        """Das Protokoll; vor der Veröffentlichung nur für Angemeldete."""
        with uow() as conn:
            event = store.get_event(conn, event_id)
            minutes = store.get_minutes(conn, event_id)
        if minutes["status"] != "published" and principal().anonymous:
            raise NotFound("Das Protokoll ist noch nicht veröffentlicht.")
        _visible(event)
        return minutes

    @roles(*STAFF)
    @events_bp.arguments(MinutesIn)
    @events_bp.response(200, MinutesOut)
    def put(self, data, tenant, event_id):
        """Den Entwurf schreiben: Anwesende, Notizen je Punkt, Abstimmungen (mit abweichenden Meinungen)."""
        with uow() as conn:
            store.get_event(conn, event_id)
            return store.save_minutes(conn, tenant, event_id, data)


@events_bp.route("/<uuid:event_id>/minutes/approve")
class ApproveMinutes(MethodView):
    @roles(*STAFF)
    @events_bp.response(200, MinutesOut)
    def post(self, tenant, event_id):
        """Den Entwurf genehmigen."""
        with uow() as conn:
            return store.advance_minutes(conn, tenant, event_id, "approved", principal().sub)


@events_bp.route("/<uuid:event_id>/minutes/publish")
class PublishMinutes(MethodView):
    @roles(*STAFF)
    @events_bp.response(200, MinutesOut)
    def post(self, tenant, event_id):
        """Das genehmigte Protokoll veröffentlichen (Ereignis minutes.published)."""
        with uow() as conn:
            return store.advance_minutes(conn, tenant, event_id, "published", principal().sub)


@events_bp.route("/<uuid:event_id>/minutes.md")
class MinutesMarkdown(MethodView):
    @events_bp.response(200, content_type="text/markdown")
    def get(self, tenant, event_id):
        """Das Protokoll als lesbares Dokument (Markdown)."""
        with uow() as conn:
            event = store.get_event(conn, event_id)
            minutes = store.get_minutes(conn, event_id)
            items = store.agenda(conn, event_id)
        if minutes["status"] != "published" and principal().anonymous:
            raise NotFound("Das Protokoll ist noch nicht veröffentlicht.")
        _visible(event)
        return Response(domain.minutes_markdown(event, minutes, items), mimetype="text/markdown")


@planning_bp.route("/cadence")
class Cadence(MethodView):
    @roles(*SIGNED_IN)
    @planning_bp.response(200, CadenceOut(many=True))
    def get(self, tenant):
        """Turnusregeln: letzte und nächste Sitzung, Status ok, fällig oder überfällig."""
        with uow() as conn:
            return store.cadence_report(conn, current_tenant().rules, datetime.now(UTC))


@planning_bp.route("/schedule/proposals")
class Proposals(MethodView):
    @roles(*SIGNED_IN)
    @planning_bp.arguments(ProposalQuery, location="query")
    @planning_bp.response(200, SlotOut(many=True))
    def get(self, query, tenant):
        """Termine, die den Regeln des Gremiums genügen (Magdeburg: mittwochs 13:00–15:30, höchstens 60 Minuten)."""
        body = _body(query["body"])
        with uow() as conn:
            last, _ = store.last_and_next(conn, kind=None, body=body["key"], now=datetime.now(UTC))
        return domain.proposals(body["meeting"], query["from_"], query["to"], last)


def _calendar(events: list[dict], name: str, filename: str) -> Response:
    return Response(
        ics(events, name),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@planning_bp.route("/calendar.ics")
class PublicCalendar(MethodView):
    @planning_bp.response(200, content_type="text/calendar")
    def get(self, tenant):
        """Die öffentlichen Termine des Netzwerks als iCalendar-Abonnement."""
        with uow() as conn:
            events = store.list_events(conn, public_only=True)
        return _calendar(events, current_tenant().name, f"{tenant}.ics")


@planning_bp.route("/bodies/<key>/calendar.ics")
class BodyCalendar(MethodView):
    @roles(*SIGNED_IN)
    @planning_bp.response(200, content_type="text/calendar")
    def get(self, tenant, key):
        """Die Sitzungen eines Gremiums (für Mitglieder)."""
        body = _body(key)
        with uow() as conn:
            events = store.list_events(conn, public_only=False, body=key)
        return _calendar(events, body["name"], f"{tenant}-{key}.ics")


@consult_bp.route("")
class Consultations(MethodView):
    @consult_bp.response(200, ConsultationOut(many=True))
    def get(self, tenant):
        """Beteiligungen (öffentlich)."""
        with uow() as conn:
            return store.list_consultations(conn)

    @roles(*STAFF)
    @consult_bp.arguments(ConsultationIn)
    @consult_bp.response(201, ConsultationOut)
    def post(self, data, tenant):
        """Eine Beteiligung mit Zeitraum anlegen; Themen sind standardmäßig die Handlungsfelder."""
        if data["topics"] is None:
            data["topics"] = current_tenant().rules["policy_fields"]
        with uow() as conn:
            return store.create_consultation(conn, tenant, data)


@consult_bp.route("/<uuid:consultation_id>/ideas")
class Ideas(MethodView):
    @consult_bp.response(200, IdeaOut(many=True))
    def get(self, tenant, consultation_id):
        """Ideen: veröffentlichte für alle, alle für die Koordinierungsstelle."""
        with uow() as conn:
            store.get_consultation(conn, consultation_id)
            return store.ideas(conn, consultation_id, published_only=not principal().has(*STAFF))

    @consult_bp.arguments(IdeaIn)
    @consult_bp.response(201, IdeaOut)
    def post(self, data, tenant, consultation_id):
        """Eine Idee einreichen, auch anonym – nur im Beteiligungszeitraum."""
        caller = principal()
        with uow() as conn:
            c = store.get_consultation(conn, consultation_id)
            domain.ensure_window(c["opens"], c["closes"], datetime.now(UTC))
            domain.ensure_topic(c["topics"], data["topic"])
            if caller.anonymous and not c["anonymous"]:
                raise RuleViolation("Für diese Beteiligung ist eine Anmeldung nötig.")
            return store.add_idea(
                conn, tenant, consultation_id, data, data.get("author") or caller.sub
            )


@consult_bp.route("/<uuid:consultation_id>/ideas/<uuid:idea_id>/moderation")
class Moderation(MethodView):
    @roles(*STAFF)
    @consult_bp.arguments(ModerationIn)
    @consult_bp.response(200, IdeaOut)
    def post(self, data, tenant, consultation_id, idea_id):
        """Eine Idee veröffentlichen oder mit Grund ausblenden."""
        with uow() as conn:
            return store.moderate(conn, consultation_id, idea_id, data["status"], data["reason"])


@consult_bp.route("/<uuid:consultation_id>/counts")
class Counts(MethodView):
    @roles(*STAFF)
    @consult_bp.response(200)
    def get(self, tenant, consultation_id):
        """Zahl der Ideen je Thema."""
        with uow() as conn:
            store.get_consultation(conn, consultation_id)
            return {"topics": store.idea_counts(conn, consultation_id)}


@consult_bp.route("/<uuid:consultation_id>/ideas.csv")
class IdeasCsv(MethodView):
    @roles(*STAFF)
    @consult_bp.response(200, content_type="text/csv")
    def get(self, tenant, consultation_id):
        """Alle Ideen als CSV (Semikolon, UTF-8)."""
        with uow() as conn:
            rows = store.ideas(conn, consultation_id, published_only=False)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";")
        w.writerow(["Thema", "Idee", "Status", "Eingereicht"])
        for r in rows:
            w.writerow([r["topic"], r["text"], r["status"], r["created_at"].isoformat()])
        return Response(
            buf.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="ideen-{consultation_id}.csv"'},
        )


polls_bp = Blueprint(
    "polls",
    __name__,
    url_prefix="/api/v1/<tenant>/polls",
    description="Terminumfragen für die nächste Sitzung",
)
processes_bp = Blueprint(
    "processes",
    __name__,
    url_prefix="/api/v1/<tenant>/processes",
    description="Beteiligungsprozesse mit Phasen",
)


@polls_bp.route("")
class Polls(MethodView):
    @roles(*STAFF)
    @polls_bp.arguments(PollIn)
    @polls_bp.response(201, PollOut)
    def post(self, data, tenant):
        """Eine Terminumfrage für die nächste Sitzung eines Gremiums; die Termine kommen aus den Regeln des Gremiums."""
        body = _body(data["body"])
        with uow() as conn:
            last, _ = store.last_and_next(conn, kind=None, body=body["key"], now=datetime.now(UTC))
            slots = domain.proposals(
                body["meeting"], data["from_"], data["to"], last, limit=data["max_options"]
            )
            if not slots:
                raise RuleViolation(
                    "In diesem Zeitraum gibt es keinen Termin, der den Regeln des Gremiums genügt.",
                    field="to",
                )
            poll = store.create_poll(
                conn,
                tenant,
                body["key"],
                data["title"],
                [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in slots],
            )
            return store.poll_view(conn, poll)


@polls_bp.route("/<uuid:poll_id>")
class Poll(MethodView):
    @roles(*SIGNED_IN)
    @polls_bp.response(200, PollOut)
    def get(self, tenant, poll_id):
        """Die Umfrage mit den Antworten je Termin."""
        with uow() as conn:
            return store.poll_view(conn, store.get_poll(conn, poll_id))


@polls_bp.route("/<uuid:poll_id>/answers")
class PollAnswers(MethodView):
    @roles("member", *STAFF)
    @polls_bp.arguments(PollAnswersIn)
    @polls_bp.response(200, PollOut)
    def post(self, data, tenant, poll_id):
        """Je Termin ja, vielleicht oder nein (Mitglieder des Gremiums; erneutes Antworten ändert)."""
        with uow() as conn:
            poll = store.get_poll(conn, poll_id)
            store.answer_poll(conn, tenant, poll, principal().sub, data["answers"])
            return store.poll_view(conn, poll)


@polls_bp.route("/<uuid:poll_id>/close")
class ClosePoll(MethodView):
    @roles(*STAFF)
    @polls_bp.arguments(PollCloseIn)
    @polls_bp.response(200, PollOut)
    def post(self, data, tenant, poll_id):
        """Den besten Termin wählen (die wenigsten Absagen) und auf Wunsch die Sitzung anlegen."""
        with uow() as conn:
            poll = store.get_poll(conn, poll_id, lock=True)
            if poll["status"] != "open":
                from shared.errors import Conflict

                raise Conflict("Die Terminumfrage ist schon geschlossen.")
            view = store.poll_view(conn, poll)
            best = domain.best_option(view["options"], view["answers"])
            event_id = None
            if data["create_event"] and best:
                body = _body(poll["body"])
                event = store.create_event(
                    conn,
                    tenant,
                    {
                        "kind": "body_meeting",
                        "body": poll["body"],
                        "title": f"Sitzung {body['name']}",
                        "starts_at": best["starts_at"],
                        "ends_at": best["ends_at"],
                        "place": data["place"],
                    },
                )
                event_id = event["id"]
            store.close_poll(conn, poll_id, best["id"] if best else None, event_id)
            return store.poll_view(conn, store.get_poll(conn, poll_id))


@processes_bp.route("")
class Processes(MethodView):
    @processes_bp.response(200, ProcessOut(many=True))
    def get(self, tenant):
        """Beteiligungsprozesse (öffentlich)."""
        with uow() as conn:
            return [_process(store.get_process(conn, p["id"])) for p in store.list_processes(conn)]

    @roles(*STAFF)
    @processes_bp.arguments(ProcessIn)
    @processes_bp.response(201, ProcessOut)
    def post(self, data, tenant):
        """Einen Prozess mit geordneten Phasen anlegen (z. B. Auftakt, Tagung, Bürgerbefragung, Workshops, Stadtratsbeschluss)."""
        with uow() as conn:
            proc = store.create_process(conn, tenant, data)
            return _process(store.get_process(conn, proc["id"]))


@processes_bp.route("/<uuid:process_id>")
class Process(MethodView):
    @processes_bp.response(200, ProcessOut)
    def get(self, tenant, process_id):
        """Ein Prozess mit seinen Phasen und der laufenden Phase."""
        with uow() as conn:
            return _process(store.get_process(conn, process_id))


def _process(proc: dict) -> dict:
    from services.events.domain import BERLIN

    current = domain.current_phase(proc["phases"], datetime.now(BERLIN).date())
    return {**proc, "current_phase": current["position"] if current else None}


BLUEPRINTS = (events_bp, planning_bp, consult_bp, polls_bp, processes_bp)
