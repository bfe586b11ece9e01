"""HTTP API of the voting service's ballots (/api/v1/<tenant>/ballots): open, list, read, vote,
close, the record.

Each route parses, authorises, calls one handler in the request's unit of work and serialises.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.voting import handlers
from knotenpunkt.services.voting.schemas.ballots import BallotIn, BallotOut, BallotQuery
from knotenpunkt.services.voting.schemas.record import RecordOut
from knotenpunkt.services.voting.schemas.votes import VoteIn, VoteOut
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.schema import TOTAL_HEADER, total_header
from knotenpunkt.shared.web import context, principal, uow

ballots_bp = Blueprint(
    "ballots",
    __name__,
    url_prefix="/api/v1/<tenant>/ballots",
    description="Abstimmungen der Gremien",
)


@ballots_bp.route("")
class Ballots(MethodView):
    @allows("body")
    @ballots_bp.arguments(BallotQuery, location="query")
    @ballots_bp.response(200, BallotOut(many=True), headers={"X-Total-Count": TOTAL_HEADER})
    def get(self, query, tenant):
        """Abstimmungen seitenweise (neueste zuerst), filterbar nach Status und Gremium; X-Total-Count: alle Treffer."""
        with uow() as conn:
            page, total = handlers.list_ballots(conn, context(), caller=principal(), **query)
        return page, 200, total_header(total)

    @allows("manage")
    @ballots_bp.arguments(BallotIn)
    @ballots_bp.response(201, BallotOut)
    def post(self, data, tenant):
        """Eine Abstimmung eröffnen; Regel, Quorum, Begründungspflicht, Bindung und ob geheim kommen aus den Regeln des Gremiums."""
        cmd = handlers.OpenBallot(
            body=data["body"],
            title=data["title"],
            text=data["text"],
            subject_kind=data["subject"].get("kind", "general"),
            subject_id=data["subject"].get("id"),
            deadline=data["deadline"],
            secret=data["secret"],
        )
        with uow() as conn:
            return handlers.open_ballot(cmd, conn, context())


@ballots_bp.route("/<uuid:ballot_id>")
class Ballot(MethodView):
    @allows("body")
    @ballots_bp.response(200, BallotOut)
    def get(self, tenant, ballot_id):
        """Eine Abstimmung: offen mit Beteiligung, geschlossen mit Ergebnis und abweichenden Meinungen."""
        with uow() as conn:
            return handlers.get_ballot(conn, context(), ballot_id=ballot_id, caller=principal())


@ballots_bp.route("/<uuid:ballot_id>/votes")
class Votes(MethodView):
    @allows("body")
    @ballots_bp.arguments(VoteIn)
    @ballots_bp.response(200, VoteOut)
    def post(self, data, tenant, ballot_id):
        """Abstimmen (oder die Stimme ändern, solange offen); nur Mitglieder des Gremiums."""
        ctx = context()
        cmd = handlers.CastVote(ballot_id, ctx.actor, data["choice"], data["reason"])
        # written together with the casts arriving meanwhile (group commit), each in the
        # request's unit of work when alone; answered after the commit that holds the vote
        return handlers.cast_vote_grouped(cmd, ctx, uow)


@ballots_bp.route("/<uuid:ballot_id>/close")
class Close(MethodView):
    @allows("manage")
    @ballots_bp.response(200, BallotOut)
    def post(self, tenant, ballot_id):
        """Die Abstimmung vorzeitig schließen (Koordinierungsstelle)."""
        ctx = context()
        cmd = handlers.CloseBallot(ballot_id, closed_by=f"coordinator:{ctx.actor}")
        with uow() as conn:
            return handlers.close_ballot(cmd, conn, ctx)


@ballots_bp.route("/<uuid:ballot_id>/record")
class Record(MethodView):
    @allows("body")
    @ballots_bp.response(200, RecordOut)
    def get(self, tenant, ballot_id):
        """Das Protokoll als Hash-Kette, nachgerechnet und mit den Stimmen verglichen (Mitglieder des Gremiums, Koordinierungsstelle); solange offen nur, wer teilgenommen hat."""
        with uow() as conn:
            return handlers.ballot_record(conn, context(), ballot_id=ballot_id, caller=principal())
