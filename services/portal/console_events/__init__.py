"""The console's events half: the Koordinierungsstelle plans meetings (with the body's rules and
their warnings), agendas, invitations, time polls and minutes; body members answer their
invitations and time polls and submit topics; anyone invited answers with the mail's reply link.

Every page calls the events API with the caller's token (the reply link: with the link's token).
Importing the package puts every page on `bp` (blueprint "console_events") and the reply link's
page on `reply_bp` (blueprint "invitation_reply").
"""

from __future__ import annotations

from . import agenda, invitations, minutes, planning, polls, replies  # noqa: F401  (their pages)
from .blueprint import bp, reply_bp

__all__ = ["bp", "reply_bp"]
