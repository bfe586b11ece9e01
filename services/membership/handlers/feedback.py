"""Feedback on the accessibility of the network's pages (BITV 2.0 § 7 Abs. 1 Nr. 2): a person
names a barrier or asks for content in an accessible form. The Koordinierungsstelle gets it by
mail and the sender a receipt (notifications, on ``membership.accessibility_feedback.submitted``);
nothing else is stored here (the mails are the record: notifications' delivery log)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from knotenpunkt.shared.usecase import Context, emit


@dataclass(frozen=True)
class SubmitAccessibilityFeedback:
    email: str
    message: str
    name: str | None = None
    page: str | None = None
    language: str = "de"


def submit_accessibility_feedback(cmd: SubmitAccessibilityFeedback, conn, ctx: Context) -> dict:
    """Announce the feedback (the outbox, in the caller's transaction); returns its id and time."""
    feedback_id = str(uuid.uuid4())
    emit(
        conn,
        ctx,
        "accessibility_feedback",
        "submitted",
        {
            "id": feedback_id,
            "name": (cmd.name or "").strip() or None,
            "email": cmd.email.strip(),
            "page": (cmd.page or "").strip() or None,
            "message": cmd.message.strip(),
            "language": cmd.language,
            "received_at": ctx.now.isoformat(),
        },
        feedback_id,
    )
    return {"id": feedback_id, "received_at": ctx.now}
