"""Signed links in mails (LINK_SECRET, never the JWT key): one service writes the link, another
checks it, neither stores the token.

A token is an HMAC-SHA256 over its purpose, the tenant and what it is about, so a token of
one purpose, network or application fits no other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

# Membership checks, notifications writes: the link of the mail that confirms an applicant's
# address (POST /api/v1/<tenant>/applications/<id>/confirm?token=…).
CONFIRM_APPLICATION = "confirm-application"
# Events checks, notifications writes: the reply link of an invitation, per event and address
# (the portal's page /<tenant>/antwort/<event>?email=…&token=… posts the answer to events).
REPLY_TO_INVITATION = "reply-to-invitation"
# Events writes and checks: a body member's personal subscription link of the body's calendar
# (GET /api/v1/<tenant>/bodies/<key>/calendar.ics?person=…&token=…), for calendar apps that
# send no bearer token; it works while the person is a member of the body.
SUBSCRIBE_BODY_CALENDAR = "subscribe-body-calendar"
# Membership checks, notifications writes: the receipt mail's link to the applicant's status
# page (the portal's /<tenant>/antrag/<id>?token=…); it reads the application like its status token.
VIEW_APPLICATION_STATUS = "view-application-status"


def invitation_subject(event_id, email: str) -> str:
    """What a reply link is about: one event and one address (case does not matter)."""
    return f"{event_id}|{email.strip().lower()}"


def calendar_subject(person_id: str, body: str) -> str:
    """What a calendar subscription link is about: one person and one body."""
    return f"{person_id}|{body}"


def link_token(secret: str, purpose: str, tenant: str, subject: str) -> str:
    """The token of a link for `purpose` (e.g. "confirm-application") about `subject`."""
    mac = hmac.new(
        secret.encode(), f"{purpose}|{tenant}|{subject}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def link_token_matches(
    secret: str, token: str | None, purpose: str, tenant: str, subject: str
) -> bool:
    """Is `token` the link token for this purpose, tenant and subject? (constant time)"""
    if not token:
        return False
    expected = link_token(secret, purpose, tenant, subject)
    return hmac.compare_digest(expected.encode(), token.encode())
