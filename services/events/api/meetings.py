"""Routes of meetings: events, agendas, topic submissions, invitations, replies, minutes.

One module for the events blueprint: the routes' order is the order of the OpenAPI document."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.events.api import calendar_response
from knotenpunkt.services.events.handlers import (
    agendas,
    calendars,
    invitations,
    meetings,
    minutes,
    submissions,
)
from knotenpunkt.services.events.schemas.agendas import AgendaIn, AgendaItemOut
from knotenpunkt.services.events.schemas.invitations import (
    InvitationIn,
    InviteeOut,
    LinkInvitationOut,
    LinkQuery,
    LinkReplyIn,
    ReplyIn,
    SheetQuery,
)
from knotenpunkt.services.events.schemas.meetings import EventIn, EventOut, EventPatch, EventQuery
from knotenpunkt.services.events.schemas.minutes import MinutesIn, MinutesOut
from knotenpunkt.services.events.schemas.submissions import (
    NetworkSubmissionOut,
    SubmissionDecisionIn,
    SubmissionIn,
    SubmissionOut,
    SubmissionQuery,
)
from knotenpunkt.shared import spreadsheets
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.schema import TOTAL_HEADER
from knotenpunkt.shared.web import context, principal, uow

events_bp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/<tenant>/events",
    description="Termine, Tagesordnungen, Einladungen, Protokolle",
)

submissions_bp = Blueprint(
    "topic_submissions",
    __name__,
    url_prefix="/api/v1/<tenant>/topic-submissions",
    description="Eingereichte Themen aller Termine des Netzwerks",
)


@events_bp.route("")
class Events(MethodView):
    @allows("public")
    @events_bp.arguments(EventQuery, location="query")
    @events_bp.response(200, EventOut(many=True), headers={"X-Total-Count": TOTAL_HEADER})
    def get(self, query, tenant):
        """Termine seitenweise nach Beginn; ohne Anmeldung nur die öffentlichen; invited=me: die eigenen Einladungen (mit my_answer). X-Total-Count: alle Treffer."""
        with uow() as conn:
            page, total = meetings.list_events(conn, context(), caller=principal(), **query)
        return page, 200, {"X-Total-Count": str(total)}

    @allows("manage")
    @events_bp.arguments(EventIn)
    @events_bp.response(201, EventOut)
    def post(self, data, tenant):
        """Einen Termin anlegen. Harte Regeln des Gremiums (Höchstdauer) → 422; verfehlte Vorlieben → Hinweise."""
        with uow() as conn:
            return meetings.plan_event(meetings.PlanEvent(**data), conn, context())


@events_bp.route("/<uuid:event_id>")
class Event(MethodView):
    @allows("public")
    @events_bp.response(200, EventOut)
    def get(self, tenant, event_id):
        """Ein Termin mit Tagesordnung."""
        with uow() as conn:
            return meetings.show_event(conn, context(), event_id, caller=principal())

    @allows("manage")
    @events_bp.arguments(EventPatch)
    @events_bp.response(200, EventOut)
    def patch(self, data, tenant, event_id):
        """Einen Termin ändern oder absagen (status: cancelled); Eingeladene werden benachrichtigt."""
        with uow() as conn:
            return meetings.change_event(meetings.ChangeEvent(event_id, data), conn, context())


@events_bp.route("/<uuid:event_id>.ics")
class EventIcs(MethodView):
    @allows("public")
    @events_bp.response(200, content_type="text/calendar")
    def get(self, tenant, event_id):
        """Der Termin als iCalendar-Datei."""
        with uow() as conn:
            document = calendars.event_calendar(conn, context(), event_id, caller=principal())
        return calendar_response(document, f"termin-{event_id}.ics")


@events_bp.route("/<uuid:event_id>/agenda")
class Agenda(MethodView):
    @allows("public")
    @events_bp.response(200, AgendaItemOut(many=True))
    def get(self, tenant, event_id):
        """Die Tagesordnung."""
        with uow() as conn:
            return agendas.agenda(conn, context(), event_id, caller=principal())

    @allows("manage")
    @events_bp.arguments(AgendaIn)
    @events_bp.response(200, AgendaItemOut(many=True))
    def put(self, data, tenant, event_id):
        """Die Tagesordnung setzen (Reihenfolge wie übergeben)."""
        with uow() as conn:
            return agendas.set_agenda(
                agendas.SetAgenda(event_id, tuple(data["items"])), conn, context()
            )


@events_bp.route("/<uuid:event_id>/agenda/publish")
class PublishAgenda(MethodView):
    @allows("manage")
    @events_bp.response(200, EventOut)
    def post(self, tenant, event_id):
        """Die Tagesordnung veröffentlichen; Eingeladene erhalten sie (Ereignis agenda.published)."""
        with uow() as conn:
            return agendas.publish_agenda(agendas.PublishAgenda(event_id), conn, context())


@events_bp.route("/<uuid:event_id>/topic-submissions")
class Submissions(MethodView):
    @allows("manage")
    @events_bp.response(200, SubmissionOut(many=True))
    def get(self, tenant, event_id):
        """Eingereichte Themen (Koordinierungsstelle)."""
        with uow() as conn:
            return submissions.submissions(conn, context(), event_id)

    @allows("participate")
    @events_bp.arguments(SubmissionIn)
    @events_bp.response(201, SubmissionOut)
    def post(self, data, tenant, event_id):
        """Ein Thema für die Tagesordnung einbringen (jedes Netzwerkmitglied)."""
        caller = principal()
        cmd = submissions.SubmitTopic(
            event_id=event_id,
            title=data["title"],
            description=data["description"],
            submitted_by=caller.person,
            partner_id=caller.partner_id,
        )
        with uow() as conn:
            return submissions.submit_topic(cmd, conn, context())


@submissions_bp.route("")
class NetworkSubmissions(MethodView):
    @allows("manage")
    @submissions_bp.arguments(SubmissionQuery, location="query")
    @submissions_bp.response(
        200, NetworkSubmissionOut(many=True), headers={"X-Total-Count": TOTAL_HEADER}
    )
    def get(self, query, tenant):
        """Eingereichte Themen aller nicht abgesagten Termine, älteste zuerst, mit ihrem Termin (status=submitted: die noch zu entscheidenden). X-Total-Count: alle Treffer."""
        with uow() as conn:
            page, total = submissions.network_submissions(conn, context(), **query)
        return page, 200, {"X-Total-Count": str(total)}


@events_bp.route("/<uuid:event_id>/topic-submissions/<uuid:submission_id>/decision")
class SubmissionDecision(MethodView):
    @allows("manage")
    @events_bp.arguments(SubmissionDecisionIn)
    @events_bp.response(200, SubmissionOut)
    def post(self, data, tenant, event_id, submission_id):
        """Ein Thema auf die Tagesordnung nehmen oder mit Begründung ablehnen."""
        cmd = submissions.DecideTopic(event_id, submission_id, data["accepted"], data["reason"])
        with uow() as conn:
            return submissions.decide_topic(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/invitations/export")
class InvitationSheet(MethodView):
    @allows("manage")
    @events_bp.arguments(SheetQuery, location="query")
    @events_bp.response(200, content_type=spreadsheets.XLSX_TYPE)
    @events_bp.doc(**spreadsheets.SHEET_DOC)
    def get(self, query, tenant, event_id):
        """Eingeladene mit ihren Antworten als XLSX oder CSV (für Excel: Semikolon, UTF-8 mit BOM)."""
        with uow() as conn:
            title, header, rows = invitations.invitation_sheet(conn, context(), event_id)
        if query["format"] == "csv":
            body, mimetype = spreadsheets.excel_csv(header, rows), "text/csv; charset=utf-8"
        else:
            body = spreadsheets.xlsx_book([(title, header, rows)])
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"eingeladene-{event_id}.{query['format']}"
        return Response(
            body,
            mimetype=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


@events_bp.route("/<uuid:event_id>/invitations")
class Invitations(MethodView):
    @allows("manage")
    @events_bp.response(200, InviteeOut(many=True))
    def get(self, tenant, event_id):
        """Eingeladene und ihre Antworten (für die Organisierenden)."""
        with uow() as conn:
            return invitations.invitations(conn, context(), event_id)

    @allows("manage")
    @events_bp.arguments(InvitationIn)
    @events_bp.response(201, InviteeOut(many=True))
    def post(self, data, tenant, event_id):
        """Ein Gremium, alle Partner oder benannte Gäste einladen (Ereignis event.invited)."""
        cmd = invitations.Invite(
            event_id=event_id,
            body=data["body"],
            working_group_id=data["working_group_id"],
            all_partners=data["all_partners"],
            guests=tuple(data["guests"]),
        )
        with uow() as conn:
            return invitations.invite(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/replies")
class Replies(MethodView):
    @allows("manage")
    @events_bp.response(200, InviteeOut(many=True))
    def get(self, tenant, event_id):
        """Die Antworten (ja, nein, vielleicht)."""
        with uow() as conn:
            return invitations.replies(conn, context(), event_id)

    @allows("participate")
    @events_bp.arguments(ReplyIn)
    @events_bp.response(200, InviteeOut)
    def post(self, data, tenant, event_id):
        """Auf die Einladung antworten (als eingeladenes Mitglied oder eingeladener Partner)."""
        caller = principal()
        cmd = invitations.ReplyToInvitation(
            event_id, data["answer"], caller.person, caller.partner_id
        )
        with uow() as conn:
            return invitations.reply_to_invitation(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/reply-link")
class ReplyLink(MethodView):
    @allows("public")
    @events_bp.arguments(LinkQuery, location="query")
    @events_bp.response(200, LinkInvitationOut)
    def get(self, query, tenant, event_id):
        """Was der Antwortlink der Einladungs-Mail beantwortet (Termin, Name, bisherige Antwort); ändert nichts."""
        with uow() as conn:
            return invitations.linked_invitation(conn, context(), event_id, **query)

    @allows("public")
    @events_bp.arguments(LinkReplyIn)
    @events_bp.response(200, LinkInvitationOut)
    def post(self, data, tenant, event_id):
        """Mit dem Antwortlink der Einladungs-Mail antworten, ohne Anmeldung (falscher Link → 403)."""
        cmd = invitations.ReplyByLink(event_id, data["email"], data["token"], data["answer"])
        with uow() as conn:
            return invitations.reply_by_link(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/minutes")
class Minutes(MethodView):
    @allows("public")
    @events_bp.response(200, MinutesOut)
    def get(self, tenant, event_id):
        """Das Protokoll; vor der Veröffentlichung nur für das Netzwerk (nicht öffentlich)."""
        with uow() as conn:
            return minutes.minutes(conn, context(), event_id, caller=principal())

    @allows("manage")
    @events_bp.arguments(MinutesIn)
    @events_bp.response(200, MinutesOut)
    def put(self, data, tenant, event_id):
        """Den Entwurf schreiben: Anwesende, Notizen je Punkt, Abstimmungen (mit abweichenden Meinungen)."""
        cmd = minutes.WriteMinutes(
            event_id,
            tuple(data["attendees"]),
            tuple(data["notes"]),
            tuple(data["ballot_ids"]),
            data["taken_by"],
            tuple(data["decisions_by_hand"]),
        )
        with uow() as conn:
            return minutes.write_minutes(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/minutes/approve")
class ApproveMinutes(MethodView):
    @allows("manage")
    @events_bp.response(200, MinutesOut)
    def post(self, tenant, event_id):
        """Den Entwurf genehmigen."""
        cmd = minutes.ApproveMinutes(event_id, principal().person)
        with uow() as conn:
            return minutes.approve_minutes(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/minutes/publish")
class PublishMinutes(MethodView):
    @allows("manage")
    @events_bp.response(200, MinutesOut)
    def post(self, tenant, event_id):
        """Das genehmigte Protokoll veröffentlichen (Ereignis minutes.published)."""
        cmd = minutes.PublishMinutes(event_id, principal().person)
        with uow() as conn:
            return minutes.publish_minutes(cmd, conn, context())


@events_bp.route("/<uuid:event_id>/minutes.md")
class MinutesMarkdown(MethodView):
    @allows("public")
    @events_bp.response(200, content_type="text/markdown")
    def get(self, tenant, event_id):
        """Das Protokoll als lesbares Dokument (Markdown; alles Eingegebene als Text)."""
        with uow() as conn:
            document = minutes.minutes_document(conn, context(), event_id, caller=principal())
        return Response(document, mimetype="text/markdown")
