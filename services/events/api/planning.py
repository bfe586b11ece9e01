"""Routes of planning: cadence, schedule proposals, calendars, time polls, processes."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.events.api import calendar_response
from knotenpunkt.services.events.handlers import calendars
from knotenpunkt.services.events.handlers import planning as handlers
from knotenpunkt.services.events.schemas.planning import (
    CadenceOut,
    CalendarLinkOut,
    CalendarLinkQuery,
    PollAnswersIn,
    PollCloseIn,
    PollIn,
    PollOut,
    PollQuery,
    ProcessIn,
    ProcessOut,
    ProposalQuery,
    SlotOut,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, principal, uow

planning_bp = Blueprint(
    "planning",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Turnus, Terminvorschläge, Kalender",
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


@planning_bp.route("/cadence")
class Cadence(MethodView):
    @allows("internal")
    @planning_bp.response(200, CadenceOut(many=True))
    def get(self, tenant):
        """Turnusregeln: letzte und nächste Sitzung, Status ok, fällig oder überfällig."""
        with uow() as conn:
            return handlers.cadence(conn, context())


@planning_bp.route("/schedule/proposals")
class Proposals(MethodView):
    @allows("internal")
    @planning_bp.arguments(ProposalQuery, location="query")
    @planning_bp.response(200, SlotOut(many=True))
    def get(self, query, tenant):
        """Termine, die den Regeln des Gremiums genügen (Magdeburg: mittwochs 13:00–15:30, höchstens 60 Minuten)."""
        with uow() as conn:
            return handlers.proposals(conn, context(), **query)


@planning_bp.route("/calendar.ics")
class PublicCalendar(MethodView):
    @allows("public")
    @planning_bp.response(200, content_type="text/calendar")
    def get(self, tenant):
        """Die öffentlichen Termine des Netzwerks als iCalendar-Abonnement."""
        with uow() as conn:
            document = calendars.public_calendar(conn, context())
        return calendar_response(document, f"{tenant}.ics")


@planning_bp.route("/bodies/<key>/calendar.ics")
class BodyCalendar(MethodView):
    @allows("public")
    @planning_bp.arguments(CalendarLinkQuery, location="query")
    @planning_bp.response(200, content_type="text/calendar")
    def get(self, query, tenant, key):
        """Die Sitzungen eines Gremiums (für Mitglieder): mit Token oder ohne Anmeldung über den persönlichen Abonnement-Link (person, token; falscher Link oder kein Mitglied mehr → 403)."""
        with uow() as conn:
            document = calendars.body_calendar(conn, context(), key, caller=principal(), **query)
        return calendar_response(document, f"{tenant}-{key}.ics")


@planning_bp.route("/bodies/<key>/calendar-link")
class BodyCalendarLink(MethodView):
    @allows("member_self")
    @planning_bp.response(200, CalendarLinkOut)
    def get(self, tenant, key):
        """Der persönliche Abonnement-Link des Kalenders eines Gremiums für Kalender-Apps (https und webcal), nur für Mitglieder des Gremiums."""
        with uow() as conn:
            return calendars.calendar_link(conn, context(), key, caller=principal())


@polls_bp.route("")
class Polls(MethodView):
    @allows("internal")
    @polls_bp.arguments(PollQuery, location="query")
    @polls_bp.response(200, PollOut(many=True))
    def get(self, query, tenant):
        """Terminumfragen, neueste zuerst (eines Gremiums, offen oder geschlossen), mit den eigenen Antworten."""
        with uow() as conn:
            return handlers.polls(conn, context(), caller=principal(), **query)

    @allows("manage")
    @polls_bp.arguments(PollIn)
    @polls_bp.response(201, PollOut)
    def post(self, data, tenant):
        """Eine Terminumfrage für die nächste Sitzung eines Gremiums; die Termine kommen aus den Regeln des Gremiums."""
        with uow() as conn:
            return handlers.open_poll(handlers.OpenPoll(**data), conn, context())


@polls_bp.route("/<uuid:poll_id>")
class Poll(MethodView):
    @allows("internal")
    @polls_bp.response(200, PollOut)
    def get(self, tenant, poll_id):
        """Die Umfrage mit den Antworten je Termin und den eigenen (my_answers)."""
        with uow() as conn:
            return handlers.poll(conn, context(), poll_id, caller=principal())


@polls_bp.route("/<uuid:poll_id>/answers")
class PollAnswers(MethodView):
    @allows("body")
    @polls_bp.arguments(PollAnswersIn)
    @polls_bp.response(200, PollOut)
    def post(self, data, tenant, poll_id):
        """Je Termin ja, vielleicht oder nein (Mitglieder des Gremiums; erneutes Antworten ändert)."""
        cmd = handlers.AnswerPoll(poll_id, principal().person, tuple(data["answers"]))
        with uow() as conn:
            return handlers.answer_poll(cmd, conn, context())


@polls_bp.route("/<uuid:poll_id>/close")
class ClosePoll(MethodView):
    @allows("manage")
    @polls_bp.arguments(PollCloseIn)
    @polls_bp.response(200, PollOut)
    def post(self, data, tenant, poll_id):
        """Den besten Termin wählen (die wenigsten Absagen) und auf Wunsch die Sitzung anlegen."""
        cmd = handlers.ClosePoll(poll_id, data["create_event"], data["place"])
        with uow() as conn:
            return handlers.close_poll(cmd, conn, context())


@processes_bp.route("")
class Processes(MethodView):
    @allows("public")
    @processes_bp.response(200, ProcessOut(many=True))
    def get(self, tenant):
        """Beteiligungsprozesse (öffentlich; nicht öffentliche Termine nur für das Netzwerk)."""
        with uow() as conn:
            return handlers.processes(conn, context(), caller=principal())

    @allows("manage")
    @processes_bp.arguments(ProcessIn)
    @processes_bp.response(201, ProcessOut)
    def post(self, data, tenant):
        """Einen Prozess mit geordneten Phasen anlegen (z. B. Auftakt, Tagung, Bürgerbefragung, Workshops, Stadtratsbeschluss)."""
        cmd = handlers.CreateProcess(data["title"], tuple(data["phases"]), data["description"])
        with uow() as conn:
            return handlers.create_process(cmd, conn, context())


@processes_bp.route("/<uuid:process_id>")
class Process(MethodView):
    @allows("public")
    @processes_bp.response(200, ProcessOut)
    def get(self, tenant, process_id):
        """Ein Prozess mit seinen Phasen und der laufenden Phase."""
        with uow() as conn:
            return handlers.process(conn, context(), process_id, caller=principal())
