"""Use case of a person's request (DSGVO) in voting: what it holds, its erasure.

Erasure per datum: named votes keep their place in the ballot's record and count as before,
under a pseudonym instead of the person's id; the record is not rewritten silently: the
rewritten entries are vouched for by a new `pseudonymised` entry of the hash chain, so the
record still verifies. Secret ballots hold no choice of the person (only that they took part,
which gets the pseudonym too). Electorate copies are deleted.
"""

from __future__ import annotations

from knotenpunkt.services.voting.domain import record as rules
from knotenpunkt.services.voting.handlers.record import seal
from knotenpunkt.services.voting.privacy_catalogue import CATALOGUE
from knotenpunkt.shared.privacy import (
    ERASED_NAME,
    AnswerPrivacyRequest,
    answer_request,
    forget_sent_events,
)
from knotenpunkt.shared.usecase import Context


def answer_privacy_request(cmd: AnswerPrivacyRequest, conn, ctx: Context) -> dict:
    """Access: every datum; erasure: pseudonymised as above (counts per table); record: the
    catalogue. Publishes voting.privacy.answered; returns the answer; raises nothing."""
    ids = cmd.ids
    return answer_request(
        conn,
        ctx,
        cmd,
        CATALOGUE,
        held=lambda: {
            "electorate": ctx.store.privacy.electorate_of(conn, ids),
            "ballot_electorate": ctx.store.privacy.ballot_entries_of(conn, ids),
            "votes": ctx.store.privacy.votes_of(conn, ids),
            "participation": ctx.store.privacy.participation_of(conn, ids),
        },
        erase=lambda: _erase(conn, ctx, ids, cmd),
    )


def _erase(conn, ctx: Context, ids: list[str], cmd: AnswerPrivacyRequest) -> dict:
    counts = {"ballot_record": 0, "ballot_electorate": 0, "votes": 0, "participation": 0}
    counts["ballots"] = 0
    for ballot_id in ctx.store.privacy.ballots_naming(conn, ids):
        seal(conn, ctx, ballot_id)
        rewrites, marker = rules.pseudonymise_record(
            ctx.store.privacy.sealed_entries(conn, ballot_id), ids, cmd.pseudonym
        )
        for entry_id, entry in rewrites:
            ctx.store.privacy.set_entry(conn, entry_id, entry)
        if marker is not None:
            ctx.store.record.append(conn, ctx.tenant.key, ballot_id, {**marker, "at": ctx.now})
            seal(conn, ctx, ballot_id)
        counts["ballot_record"] += len(rewrites)
        done = ctx.store.privacy.pseudonymise(conn, ballot_id, ids, cmd.pseudonym, ERASED_NAME)
        for table, n in done.items():
            counts[table] += n
    counts["electorate"] = ctx.store.privacy.delete_electorate(conn, ids)
    counts["outbox"] = forget_sent_events(conn, [cmd.email, *ids, *cmd.names])
    return counts
