"""Routes of working groups, founding proposals, members and working papers."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import working_groups as handlers
from knotenpunkt.services.membership.schemas.working_groups import (
    DecisionIn,
    GroupMemberIn,
    GroupMemberOut,
    PaperIn,
    PaperOut,
    ProposalIn,
    ProposalOut,
    WorkingGroupIn,
    WorkingGroupOut,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, principal, uow

wg_bp = Blueprint(
    "working_groups",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Arbeitsgruppen, Gründungsanträge und Arbeitspapiere",
)


@wg_bp.route("/working-group-proposals")
class Proposals(MethodView):
    @allows("internal")
    @wg_bp.response(200, ProposalOut(many=True))
    def get(self, tenant):
        """Gründungsanträge für Arbeitsgruppen (angemeldet)."""
        with uow() as conn:
            return handlers.list_proposals(conn, context())

    @allows("participate")
    @wg_bp.arguments(ProposalIn)
    @wg_bp.response(201, ProposalOut)
    def post(self, data, tenant):
        """Gründung einer Arbeitsgruppe vorschlagen (Anlage 5); entschieden nach den Regeln des Netzwerks."""
        cmd = handlers.ProposeWorkingGroup(caller=principal(), **data)
        with uow() as conn:
            return handlers.propose_working_group(cmd, conn, context())


@wg_bp.route("/working-group-proposals/<uuid:proposal_id>/decision")
class ProposalDecision(MethodView):
    @allows("manage")
    @wg_bp.arguments(DecisionIn)
    @wg_bp.response(200, ProposalOut)
    def post(self, data, tenant, proposal_id):
        """Über einen Gründungsantrag entscheiden, wo die Koordinierungsstelle das tut."""
        cmd = handlers.DecideProposal(proposal_id, **data)
        with uow() as conn:
            return handlers.decide_proposal(cmd, conn, context())


@wg_bp.route("/working-groups")
class WorkingGroups(MethodView):
    @allows("public")
    @wg_bp.response(200, WorkingGroupOut(many=True))
    def get(self, tenant):
        """Die Arbeitsgruppen des Netzwerks (öffentlich)."""
        with uow() as conn:
            return handlers.list_working_groups(conn, context())

    @allows("manage")
    @wg_bp.arguments(WorkingGroupIn)
    @wg_bp.response(201, WorkingGroupOut)
    def post(self, data, tenant):
        """Eine Arbeitsgruppe direkt anlegen (Koordinierungsstelle)."""
        with uow() as conn:
            return handlers.create_working_group(
                handlers.CreateWorkingGroup(**data), conn, context()
            )


@wg_bp.route("/working-groups/<uuid:group_id>")
class WorkingGroup(MethodView):
    @allows("public")
    @wg_bp.response(200, WorkingGroupOut)
    def get(self, tenant, group_id):
        """Eine Arbeitsgruppe; Angemeldete sehen die Mitglieder."""
        with uow() as conn:
            return handlers.get_working_group(
                conn, context(), group_id=group_id, caller=principal()
            )


@wg_bp.route("/working-groups/<uuid:group_id>/members")
class GroupMembers(MethodView):
    @allows("participate")
    @wg_bp.arguments(GroupMemberIn)
    @wg_bp.response(201, GroupMemberOut)
    def post(self, data, tenant, group_id):
        """Beitreten (sich selbst, nach den Regeln des Netzwerks) oder jemanden aufnehmen (Koordinierungsstelle)."""
        cmd = handlers.JoinWorkingGroup(group_id, principal(), **data)
        with uow() as conn:
            return handlers.join_working_group(cmd, conn, context())


@wg_bp.route("/working-groups/<uuid:group_id>/members/<person_id>")
class GroupMember(MethodView):
    @allows("participate")
    @wg_bp.response(204)
    def delete(self, tenant, group_id, person_id):
        """Austreten (selbst) oder jemanden entfernen (Koordinierungsstelle)."""
        cmd = handlers.LeaveWorkingGroup(group_id, person_id, principal())
        with uow() as conn:
            handlers.leave_working_group(cmd, conn, context())


@wg_bp.route("/working-groups/<uuid:group_id>/paper")
class Paper(MethodView):
    @allows("public")
    @wg_bp.response(200, PaperOut)
    def get(self, tenant, group_id):
        """Das aktuelle Arbeitspapier (Anlage 6) mit der Zahl seiner Fassungen; wer es änderte, sehen nur Angemeldete."""
        with uow() as conn:
            return handlers.get_paper(conn, context(), group_id=group_id, caller=principal())

    @allows("participate")
    @wg_bp.arguments(PaperIn)
    @wg_bp.response(200, PaperOut)
    def put(self, data, tenant, group_id):
        """Das Arbeitspapier ändern (Leitung der AG oder Koordinierungsstelle); jede Änderung bleibt als Fassung."""
        cmd = handlers.SaveWorkingPaper(group_id, data, principal())
        with uow() as conn:
            return handlers.save_working_paper(cmd, conn, context())


@wg_bp.route("/working-groups/<uuid:group_id>/paper/versions/<int:version>")
class PaperVersion(MethodView):
    @allows("public")
    @wg_bp.response(200, PaperOut)
    def get(self, tenant, group_id, version):
        """Eine frühere Fassung des Arbeitspapiers; wer sie schrieb, sehen nur Angemeldete."""
        with uow() as conn:
            return handlers.paper_version(
                conn, context(), group_id=group_id, version=version, caller=principal()
            )
