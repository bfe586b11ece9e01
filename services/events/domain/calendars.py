"""Rules of calendars: a person's subscription link of a body's calendar."""

from __future__ import annotations

from urllib.parse import urlencode


def subscription_link(
    base_url: str, tenant: str, body: str, name: str, person: str, token: str
) -> dict:
    """A person's subscription link of a body's calendar: the https address and the same as
    webcal:// (which calendar apps open as a subscription)."""
    query = urlencode({"person": person, "token": token})
    url = f"{base_url.rstrip('/')}/api/v1/{tenant}/bodies/{body}/calendar.ics?{query}"
    return {
        "body": body,
        "name": name,
        "person": person,
        "url": url,
        "webcal": "webcal://" + url.split("://", 1)[1],
    }
