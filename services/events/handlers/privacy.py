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
    answer_request,
    forget_sent_events,
)
from knotenpunkt.shared.usecase import Context


def answer_privacy_request(cmd: AnswerPrivacyRequest, conn, ctx: Context) -> dict:
    """Access: every datum; erasure: anonymised as above (counts per table); record: the
    catalogue. Publishes events.privacy.answered; returns the answer; raises nothing."""
    ids = cmd.ids

    def erase() -> dict:
        erased = ctx.store.privacy.erase(
            conn, cmd.email, ids, cmd.names, cmd.pseudonym, ERASED_NAME
        )
        erased["outbox"] = forget_sent_events(conn, [cmd.email, *ids, *cmd.names])
        return erased

    return answer_request(
        conn,
        ctx,
        cmd,
        CATALOGUE,
        held=lambda: ctx.store.privacy.rows_of(conn, cmd.email, ids, cmd.names),
        erase=erase,
    )


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
