"""Use cases of a person's request (DSGVO) and of retention in notifications.

Erasure reuses the erasure of a contact (recipients, preferences, deliveries to the address,
other deliveries naming it) and also blanks deliveries that name the person; the delivery log
is deleted, not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from knotenpunkt.services.notifications.handlers.copies import EraseContact, erase_contact
from knotenpunkt.services.notifications.privacy_catalogue import CATALOGUE
from knotenpunkt.shared.privacy import (
    AnswerPrivacyRequest,
    answer_request,
    forget_sent_events,
)
from knotenpunkt.shared.usecase import Context


def answer_privacy_request(cmd: AnswerPrivacyRequest, conn, ctx: Context) -> dict:
    """Access: every datum; erasure: deleted as above (counts per table); record: the catalogue.
    Publishes notifications.privacy.answered; returns the answer; raises nothing."""
    return answer_request(
        conn,
        ctx,
        cmd,
        CATALOGUE,
        held=lambda: ctx.store.privacy.rows_of(conn, cmd.email, cmd.names),
        erase=lambda: {
            "recipients_preferences_deliveries": erase_contact(EraseContact(cmd.email), conn, ctx),
            "notifications_naming": ctx.store.privacy.blank_deliveries_naming(
                conn, list(cmd.names)
            ),
            "outbox": forget_sent_events(conn, [cmd.email, *cmd.person_ids, *cmd.names]),
        },
    )


@dataclass(frozen=True)
class ApplyRetention:
    """Delete what the tenant's retention rules say is no longer needed (privacy section)."""


def apply_retention(cmd: ApplyRetention, conn, ctx: Context) -> dict:
    """The delivery log after privacy.delivery_log_days; returns the counts; raises nothing."""
    days = ctx.tenant.rules["privacy"]["delivery_log_days"]
    return {
        "notifications": ctx.store.privacy.delete_old_deliveries(
            conn, ctx.now - timedelta(days=days)
        )
    }
