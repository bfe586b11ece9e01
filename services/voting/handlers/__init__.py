"""The voting service's use cases, called by its routes and by its worker's consumers and jobs.

One module per aggregate: ``ballots`` (open, put to the vote, list, close, cancel,
remind), ``votes`` (cast a vote), ``record`` (the hash chain: seal, read back), ``copies``
(the electorates copied from membership), ``privacy`` (a person's requests).
Each write takes a command and ``(cmd, conn, ctx)``; reads take ``(conn, ctx, **filters)``.
A handler applies the rules of ``domain``, writes through ``ctx.store`` and adds its own
events (``shared.usecase.emit``); the time is ``ctx.now``, a body's rules come from
``ctx.tenant``.
Routes and the worker import this package: every use case is here by name.
"""

from __future__ import annotations

from knotenpunkt.services.voting.handlers.ballots import (
    CancelBallot,
    CloseBallot,
    OpenBallot,
    PutToVote,
    RemindVoters,
    cancel_ballot,
    close_ballot,
    due_ballots,
    get_ballot,
    list_ballots,
    open_ballot,
    open_ballot_ids,
    put_to_vote,
    remind_voters,
)
from knotenpunkt.services.voting.handlers.copies import (
    AddVoter,
    RemoveVoter,
    add_voter,
    electorate,
    remove_voter,
)
from knotenpunkt.services.voting.handlers.record import SealRecord, ballot_record, seal_record
from knotenpunkt.services.voting.handlers.votes import (
    CastVote,
    cast_vote,
    cast_vote_grouped,
    cast_votes,
)

__all__ = [
    "AddVoter",
    "CancelBallot",
    "CastVote",
    "CloseBallot",
    "OpenBallot",
    "PutToVote",
    "RemindVoters",
    "RemoveVoter",
    "SealRecord",
    "add_voter",
    "ballot_record",
    "cancel_ballot",
    "cast_vote",
    "cast_vote_grouped",
    "cast_votes",
    "close_ballot",
    "due_ballots",
    "electorate",
    "get_ballot",
    "list_ballots",
    "open_ballot",
    "open_ballot_ids",
    "put_to_vote",
    "remind_voters",
    "remove_voter",
    "seal_record",
]
