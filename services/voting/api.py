"""HTTP API of the voting service (blueprints under /api/v1/<tenant>/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.views import MethodView
from flask_smorest import Blueprint

from services.voting import domain, store
from services.voting.schemas import (
    BallotIn,
    BallotOut,
    BallotQuery,
    RecordOut,
    VoteIn,
    VoteOut,
    VoterOut,
)
from shared.errors import NotFound, RuleViolation
from shared.web import ctx, current_tenant, principal, roles

electorates_bp = Blueprint(
    "electorates",
    __name__,
    url_prefix="/api/v1/<tenant>/electorates",
    description="Stimmberechtigte je Gremium (Kopie aus der Mitgliederverwaltung)",
)
ballots_bp = Blueprint(
    "ballots",
    __name__,
    url_prefix="/api/v1/<tenant>/ballots",
    description="Abstimmungen der Gremien",
)
STAFF = ("coordinator", "admin")
DEFAULT_DAYS = 14


def uow():
    return ctx().database().transaction(current_tenant().key)


def body_rules(key: str) -> dict:
    body = current_tenant().body(key)
    if body is None:
        known = ", ".join(b["key"] for b in current_tenant().bodies)
        raise NotFound(f"Ein Gremium '{key}' gibt es in diesem Netzwerk nicht (Gremien: {known}).")
    return body


@electorates_bp.route("/<body>")
class Electorate(MethodView):
    @roles("coordinator", "admin", "member")
    @electorates_bp.response(200, VoterOut(many=True))
    def get(self, tenant, body):
        """Wer in diesem Gremium abstimmen darf (Koordinierungsstelle, Mitglieder)."""
        body_rules(body)
        with uow() as conn:
            return store.electorate(conn, body)


def view(conn, ballot: dict) -> dict:
    """A ballot as a caller sees it: while open who voted (named) but no tally; when closed all of it."""
    out = dict(ballot)
    out["subject"] = {"kind": ballot["subject_kind"], "id": ballot["subject_id"]}
    out["choices"] = list(domain.choices_for(ballot["decision_rule"]))
    out["kind"] = "resolution" if ballot["binding"] else "recommendation"
    voters = store.voters_status(conn, ballot)
    out["voted"] = sum(1 for v in voters if v["voted"])
    out["voters"] = voters
    if ballot["status"] == "open":
        out["tally"] = out["outcome"] = out["dissent"] = None
    elif ballot["outcome"]:
        out["outcome_text"] = domain.outcome_text(ballot, ballot["outcome"])
    return out


@ballots_bp.route("")
class Ballots(MethodView):
    @roles("coordinator", "admin", "member")
    @ballots_bp.arguments(BallotQuery, location="query")
    @ballots_bp.response(200, BallotOut(many=True))
    def get(self, query, tenant):
        """Abstimmungen, filterbar nach Status und Gremium."""
        with uow() as conn:
            return [view(conn, b) for b in store.list_ballots(conn, **query)]

    @roles(*STAFF)
    @ballots_bp.arguments(BallotIn)
    @ballots_bp.response(201, BallotOut)
    def post(self, data, tenant):
        """Eine Abstimmung eröffnen; Regel, Quorum, Begründungspflicht und Bindung kommen aus den Regeln des Gremiums."""
        body = body_rules(data["body"])
        now = datetime.now(UTC)
        deadline = data["deadline"] or now + timedelta(days=DEFAULT_DAYS)
        if deadline <= now:
            raise RuleViolation("Die Frist muss in der Zukunft liegen.", field="deadline")
        with uow() as conn:
            ballot = store.open_ballot(
                conn, tenant, body, {**data, "deadline": deadline}, principal().sub
            )
            return view(conn, ballot)


@ballots_bp.route("/<uuid:ballot_id>")
class Ballot(MethodView):
    @roles("coordinator", "admin", "member")
    @ballots_bp.response(200, BallotOut)
    def get(self, tenant, ballot_id):
        """Eine Abstimmung: offen mit Beteiligung, geschlossen mit Ergebnis und abweichenden Meinungen."""
        with uow() as conn:
            return view(conn, store.get_ballot(conn, ballot_id))


@ballots_bp.route("/<uuid:ballot_id>/votes")
class Votes(MethodView):
    @roles("member", "coordinator", "admin")
    @ballots_bp.arguments(VoteIn)
    @ballots_bp.response(200, VoteOut)
    def post(self, data, tenant, ballot_id):
        """Abstimmen (oder die Stimme ändern, solange offen); nur Mitglieder des Gremiums."""
        with uow() as conn:
            vote = store.cast(
                conn, tenant, ballot_id, principal().sub, data["choice"], data["reason"]
            )
            status = store.get_ballot(conn, ballot_id)["status"]
        return {**vote, "ballot_status": status}


@ballots_bp.route("/<uuid:ballot_id>/close")
class Close(MethodView):
    @roles(*STAFF)
    @ballots_bp.response(200, BallotOut)
    def post(self, tenant, ballot_id):
        """Die Abstimmung vorzeitig schließen (Koordinierungsstelle)."""
        with uow() as conn:
            ballot = store.get_ballot(conn, ballot_id)
            if ballot["status"] != "open":
                from shared.errors import Conflict

                raise Conflict("Die Abstimmung ist schon geschlossen.")
            store.close(conn, tenant, ballot_id, f"coordinator:{principal().sub}")
            return view(conn, store.get_ballot(conn, ballot_id))


@ballots_bp.route("/<uuid:ballot_id>/record")
class Record(MethodView):
    @roles("coordinator", "admin", "member")
    @ballots_bp.response(200, RecordOut)
    def get(self, tenant, ballot_id):
        """Das Protokoll der Abstimmung als Hash-Kette, nachgerechnet und mit den gespeicherten Stimmen verglichen."""
        with uow() as conn:
            ballot = store.get_ballot(conn, ballot_id)
            problems = store.check_record(conn, ballot)
            entries = store.record(conn, ballot_id)
        return {
            "ballot_id": ballot_id,
            "valid": not problems,
            "problems": problems,
            "entries": store._str(entries),
        }


BLUEPRINTS = (electorates_bp, ballots_bp)
