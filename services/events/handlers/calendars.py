"""Use cases of calendars: one event, the network's public events and a body's meetings as
iCalendar documents, and a member's personal subscription link of a body's calendar."""

from __future__ import annotations

from knotenpunkt.services.events.domain import calendars as domain
from knotenpunkt.services.events.domain import meetings as meetings_rules
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Forbidden
from knotenpunkt.shared.ical import ics
from knotenpunkt.shared.links import (
    SUBSCRIBE_BODY_CALENDAR,
    calendar_subject,
    link_token,
    link_token_matches,
)
from knotenpunkt.shared.usecase import Context


def event_calendar(conn, ctx: Context, event_id, *, caller: Principal) -> str:
    """One event as an iCalendar document; raises NotFound (also for a private event asked by an outsider)."""
    event = ctx.store.meetings.get_event(conn, event_id)
    meetings_rules.ensure_visible(event, may(caller, "internal"))
    return ics([event], event["title"], now=ctx.now, tz=ctx.tz)


def public_calendar(conn, ctx: Context) -> str:
    """The network's public events as an iCalendar document; raises nothing."""
    events = ctx.store.meetings.list_events(conn, public_only=True)
    return ics(events, ctx.tenant.name, now=ctx.now, tz=ctx.tz)


def body_calendar(
    conn, ctx: Context, key: str, *, caller: Principal, person=None, token=None
) -> str:
    """A body's meetings as an iCalendar document, for a caller whose token has a role of the
    bodies' business (access "body") or else for the personal subscription link of a person who
    is a member of the body (events' copy; calendar apps send no token); raises NotFound
    (body), Forbidden (no or a wrong link, a person no longer a member)."""
    body = ctx.tenant.body_or_404(key)
    if not may(caller, "body"):
        _ensure_subscription(conn, ctx, key, person, token)
    events = ctx.store.meetings.list_events(conn, public_only=False, body=key)
    return ics(events, body["name"], now=ctx.now, tz=ctx.tz)


def _ensure_subscription(conn, ctx: Context, key: str, person, token) -> None:
    """Raises Forbidden unless `token` is the subscription link token of `person` for the body
    and the person is (still) a member of it."""
    if not person or not token:
        raise Forbidden(
            "Den Kalender des Gremiums öffnet ohne Anmeldung als Mitglied nur der persönliche "
            "Abonnement-Link (person und token in der Adresse)."
        )
    subject = calendar_subject(person, key)
    if not link_token_matches(
        ctx.settings.link_secret, token, SUBSCRIBE_BODY_CALENDAR, ctx.tenant.key, subject
    ):
        raise Forbidden("Der Abonnement-Link (token) ist ungültig.")
    if not ctx.store.copies.is_body_member(conn, key, person):
        raise Forbidden(
            "Der Abonnement-Link gilt nur, solange die Person Mitglied des Gremiums ist."
        )


def calendar_link(conn, ctx: Context, key: str, *, caller: Principal) -> dict:
    """The caller's personal subscription link of a body's calendar (https and webcal), for
    calendar apps that send no token; raises NotFound (body), Forbidden (not a member)."""
    body = ctx.tenant.body_or_404(key)
    person = caller.person
    if not person or not ctx.store.copies.is_body_member(conn, key, person):
        raise Forbidden("Einen Abonnement-Link erhalten nur Mitglieder des Gremiums.")
    token = link_token(
        ctx.settings.link_secret,
        SUBSCRIBE_BODY_CALENDAR,
        ctx.tenant.key,
        calendar_subject(person, key),
    )
    return domain.subscription_link(
        ctx.settings.public_url, ctx.tenant.key, key, body["name"], person, token
    )
