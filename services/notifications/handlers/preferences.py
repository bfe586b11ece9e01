"""Use cases of a person's preferences: opt out of a category (by hand or with the link from
a mail), choose the language, withdraw the consent to keep a contact's data (with its link)."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.notifications import render
from knotenpunkt.services.notifications.handlers import links
from knotenpunkt.shared.usecase import Context, emit

# --- Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class SetPreference:
    """Opt a person out of a category or back in; choose the language of its messages."""

    email: str
    category: str
    opted_out: bool = False
    language: str | None = None


@dataclass(frozen=True)
class Unsubscribe:
    """Opt out of a category with the link from an e-mail, without logging in (on POST only:
    GET shows what this would do, see `unsubscribe_preview`)."""

    email: str
    category: str
    token: str


@dataclass(frozen=True)
class WithdrawConsent:
    """Withdraw the consent with the link from an e-mail to a contact held on consent, without
    logging in (on POST only: GET shows what this would do, see `withdrawal_preview`)."""

    email: str
    token: str


CATEGORY_DE = {
    "applications": "Beitrittserklärungen",
    "decisions": "Entscheidungen",
    "ballots": "Abstimmungen",
    "coordination": "Koordinierung",
    "events": "Termine",
}

# --- Reads --------------------------------------------------------------------


def preferences(conn, ctx: Context, *, email: str) -> list[dict]:
    """A person's preferences by category; raises nothing."""
    return ctx.store.preferences.preferences_of(conn, email)


def unsubscribe_preview(
    conn, ctx: Context, *, email: str, category: str, token: str, action: str | None = None
) -> dict:
    """What the link's POST would do, changing nothing (mail scanners follow links), with its HTML page (a form posting to `action`); raises Forbidden (bad token)."""
    links.check_unsubscribe_link(ctx, email, category, token)
    detail = (
        f"Möchten Sie keine Nachrichten der Kategorie „{CATEGORY_DE[category]}“ mehr "
        "erhalten? Pflichtmitteilungen (z. B. Entscheidungen über Ihren Antrag) erhalten Sie "
        "weiterhin."
    )
    return _said(ctx, "Abmelden?", email, category, detail, action)


def withdrawal_preview(
    conn, ctx: Context, *, email: str, token: str, action: str | None = None
) -> dict:
    """What the withdrawal link's POST would do, changing nothing (mail scanners follow links),
    with its HTML page (a form posting to `action`); raises Forbidden (bad token)."""
    links.check_withdrawal_link(ctx, email, token)
    detail = (
        "Möchten Sie Ihre Einwilligung in die Speicherung Ihrer Kontaktdaten widerrufen? Dann "
        "löschen wir Ihre Kontaktdaten und die Nachrichten an Sie; Sie erhalten keine "
        "Nachrichten mehr als Kontaktperson."
    )
    page = render.withdrawal_page(
        ctx.tenant.name, "Einwilligung widerrufen?", detail, email, action
    )
    return {"email": email, "detail": detail, "page": page}


def _said(ctx: Context, title: str, email: str, category: str, detail: str, action=None) -> dict:
    """What to tell the person who followed an unsubscribe link, as data and as its HTML page."""
    page = render.unsubscribe_page(ctx.tenant.name, title, detail, email, action)
    return {"email": email, "category": category, "detail": detail, "page": page}


# --- Writes -------------------------------------------------------------------


def set_preference(cmd: SetPreference, conn, ctx: Context) -> dict:
    """Store a person's preference for a category; returns it; raises nothing."""
    return ctx.store.preferences.set_preference(
        conn, ctx.tenant.key, cmd.email, cmd.category, cmd.opted_out, cmd.language, ctx.now
    )


def unsubscribe(cmd: Unsubscribe, conn, ctx: Context) -> dict:
    """Opt out of the category with the link's token; returns what to tell the person (detail, HTML page); raises Forbidden (bad token)."""
    links.check_unsubscribe_link(ctx, cmd.email, cmd.category, cmd.token)
    ctx.store.preferences.set_preference(
        conn, ctx.tenant.key, cmd.email, cmd.category, True, None, ctx.now
    )
    detail = (
        f"Sie erhalten keine Nachrichten der Kategorie „{CATEGORY_DE[cmd.category]}“ mehr. "
        "Pflichtmitteilungen (z. B. Entscheidungen über Ihren Antrag) erhalten Sie weiterhin."
    )
    return _said(ctx, "Abgemeldet", cmd.email, cmd.category, detail)


def withdraw_consent(cmd: WithdrawConsent, conn, ctx: Context) -> dict:
    """Withdraw the consent with the link's token: publishes notifications.consent.withdrawn
    (membership erases the contacts held on consent, then contact.erased erases the copies
    here); returns what to tell the person (detail, HTML page); raises Forbidden (bad token)."""
    links.check_withdrawal_link(ctx, cmd.email, cmd.token)
    emit(conn, ctx, "consent", "withdrawn", {"email": cmd.email})
    detail = (
        "Ihre Einwilligung ist widerrufen. Ihre Kontaktdaten und die Nachrichten an Sie werden "
        "gelöscht."
    )
    page = render.withdrawal_page(ctx.tenant.name, "Einwilligung widerrufen", detail, cmd.email)
    return {"email": cmd.email, "detail": detail, "page": page}
