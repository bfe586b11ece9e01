"""The tokens of the links in a mail that work without logging in: opting out of a category,
withdrawing the consent to keep a contact's data."""

from __future__ import annotations

import base64
import hashlib
import hmac


def unsubscribe_token(secret: str, tenant: str, email: str, category: str) -> str:
    """A token that lets a recipient opt out of one category without logging in."""
    mac = hmac.new(
        secret.encode(), f"{tenant}|{email.lower()}|{category}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")


def withdrawal_token(secret: str, tenant: str, email: str) -> str:
    """A token that lets a contact held on consent withdraw it without logging in (it fits no
    unsubscribe link: another message is signed)."""
    mac = hmac.new(
        secret.encode(), f"withdraw-consent|{tenant}|{email.lower()}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")
