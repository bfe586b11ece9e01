"""Use case of a person's request (DSGVO) in voting: what it holds, its erasure.

Erasure per datum: named votes keep their place in the ballot's record and count as before,
under a pseudonym instead of the person's id; the record is not rewritten silently: the
rewritten entries are vouched for by a new `pseudonymised` entry of the hash chain, so the
record still verifies. Secret ballots hold no choice of the person (only that they took part,
which gets the pseudonym too). Electorate copies are deleted.
"""

from __future__ import annotations

from knotenpunkt.services.voting import domain, privacy_store, store
from knotenpunkt.services.voting.handlers.record import seal
from knotenpunkt.services.voting.privacy_catalogue import CATALOGUE
from knotenpunkt.shared.privacy import (
    ERASED_NAME,
    AnswerPrivacyRequest,
    describe,
    forget_sent_events,
    publish_answer,
)
from knotenpunkt.shared.usecase import Context

SERVICE = "voting"


def answer_privacy_request(cmd: AnswerPrivacyRequest, conn, ctx: Context) -> dict:
    """Access: every datum; erasure: pseudonymised as above (counts per table); record: the
    catalogue. Publishes voting.privacy.answered; returns the answer; raises nothing."""
    ids = cmd.ids
    if cmd.kind == "record":
        answer = {"catalogue": describe(SERVICE, CATALOGUE)}
    elif cmd.kind == "access":
        data = {
            "electorate": privacy_store.electorate_of(conn, ids),
            "ballot_electorate": privacy_store.ballot_entries_of(conn, ids),
            "votes": privacy_store.votes_of(conn, ids),
            "participation": privacy_store.participation_of(conn, ids),
        }
        data = {k: v for k, v in data.items() if v}
        answer = {"data": data, "catalogue": describe(SERVICE, CATALOGUE, data)}
    else:
        answer = {"erased": _erase(conn, ctx, ids, cmd)}
    publish_answer(conn, SERVICE, ctx.tenant.key, cmd, answer)
    return answer


def _erase(conn, ctx: Context, ids: list[str], cmd: AnswerPrivacyRequest) -> dict:
    counts = {"ballot_record": 0, "ballot_electorate": 0, "votes": 0, "participation": 0}
    counts["ballots"] = 0
    for ballot_id in privacy_store.ballots_naming(conn, ids):
        seal(conn, ballot_id)
        rewrites, marker = domain.pseudonymise_record(
            privacy_store.sealed_entries(conn, ballot_id), ids, cmd.pseudonym
        )
        for entry_id, entry in rewrites:
            privacy_store.set_entry(conn, entry_id, entry)
        if marker is not None:
            store.append(conn, ctx.tenant.key, ballot_id, {**marker, "at": ctx.now})
            seal(conn, ballot_id)
        counts["ballot_record"] += len(rewrites)
        done = privacy_store.pseudonymise(conn, ballot_id, ids, cmd.pseudonym, ERASED_NAME)
        for table, n in done.items():
            counts[table] += n
    counts["electorate"] = privacy_store.delete_electorate(conn, ids)
    counts["outbox"] = forget_sent_events(conn, [cmd.email, *ids, *cmd.names])
    return counts
