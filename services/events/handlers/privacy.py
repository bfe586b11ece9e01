"""Use cases of a person's request (DSGVO) and of retention in events.

Erasure per datum: replies to invitations, attendance in minutes and poll answers stay
(counts, quorum) but anonymised (a pseudonym, the name „Gelöschte Person“); the authorship of
ideas, topic submissions and agenda items goes; copies of members are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from knotenpunkt.services.events.privacy_catalogue import CATALOGUE
from knotenpunkt.shared.privacy import (
    ERASED_NAME,
    AnswerPrivacyRequest,
    describe,
    forget_sent_events,
    publish_answer,
)
from knotenpunkt.shared.usecase import Context


def answer_privacy_request(cmd: AnswerPrivacyRequest, conn, ctx: Context) -> dict:
    """Access: every datum; erasure: anonymised as above (counts per table); record: the
    catalogue. Publishes events.privacy.answered; returns the answer; raises nothing."""
    ids = cmd.ids
    if cmd.kind == "record":
        answer = {"catalogue": describe(ctx.service, CATALOGUE)}
    elif cmd.kind == "access":
        data = {
            k: v for k, v in ctx.store.privacy.rows_of(conn, cmd.email, ids, cmd.names).items() if v
        }
        answer = {"data": data, "catalogue": describe(ctx.service, CATALOGUE, data)}
    else:
        erased = ctx.store.privacy.erase(
            conn, cmd.email, ids, cmd.names, cmd.pseudonym, ERASED_NAME
        )
        erased["outbox"] = forget_sent_events(conn, [cmd.email, *ids, *cmd.names])
        answer = {"erased": erased}
    publish_answer(conn, ctx, cmd, answer)
    return answer


@dataclass(frozen=True)
class ApplyRetention:
    """Delete what the tenant's retention rules say is no longer needed (privacy section)."""


def apply_retention(cmd: ApplyRetention, conn, ctx: Context) -> dict:
    """Ideas' author data privacy.idea_author_days after their consultation closed; returns the
    counts; raises nothing."""
    days = ctx.tenant.rules["privacy"]["idea_author_days"]
    today = ctx.now.astimezone(ctx.tz).date()
    return {
        "idea_authors": ctx.store.privacy.clear_idea_authors(conn, today - timedelta(days=days))
    }
