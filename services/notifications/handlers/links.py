"""The links in a mail, signed with LINK_SECRET: the confirmation and reply links a template
shows, the unsubscribe and consent withdrawal links, and their checks."""

from __future__ import annotations

import hmac
from urllib.parse import urlencode

from knotenpunkt.services.notifications.domain import deliveries as rules
from knotenpunkt.services.notifications.domain import links as link_rules
from knotenpunkt.shared.errors import Forbidden
from knotenpunkt.shared.links import (
    CONFIRM_APPLICATION,
    REPLY_TO_INVITATION,
    VIEW_APPLICATION_STATUS,
    invitation_subject,
    link_token,
)
from knotenpunkt.shared.usecase import Context


def with_links(ctx: Context, template: str, data: dict, recipient: str | None = None) -> dict:
    """The event's data as its template sees it: the confirmation mail gets its signed link,
    an invitation the signed reply link to the portal's page for this address (LINK_SECRET; the
    token is in no event, so webhooks and the broker never carry it); the minutes and the
    partner overview the portal's addresses of their documents."""
    documents = rules.document_links(template, data, ctx.settings.portal_url, ctx.tenant.key)
    if documents:
        return {**data, **documents}
    if template == rules.REPLY_TEMPLATE and recipient and data.get("id"):
        settings, tenant, event = ctx.settings, ctx.tenant.key, str(data["id"])
        subject = invitation_subject(event, recipient)
        token = link_token(settings.link_secret, REPLY_TO_INVITATION, tenant, subject)
        query = urlencode({"email": recipient, "token": token})
        return {**data, "reply_url": f"{settings.portal_url}/{tenant}/antwort/{event}?{query}"}
    if template == rules.RECEIPT_TEMPLATE and data.get("application_id"):
        settings, tenant, application = ctx.settings, ctx.tenant.key, str(data["application_id"])
        token = link_token(settings.link_secret, VIEW_APPLICATION_STATUS, tenant, application)
        query = urlencode({"token": token})
        return {
            **data,
            "status_url": f"{settings.portal_url}/{tenant}/antrag/{application}?{query}",
        }
    if template != rules.CONFIRM_TEMPLATE:
        return data
    settings, tenant, application = ctx.settings, ctx.tenant.key, str(data["application_id"])
    token = link_token(settings.link_secret, CONFIRM_APPLICATION, tenant, application)
    query = urlencode({"token": token})
    url = f"{settings.public_url}/api/v1/{tenant}/applications/{application}/confirm?{query}"
    return {**data, "confirm_url": url}


def _unsubscribe_query(ctx: Context, email: str, category: str) -> str:
    token = link_rules.unsubscribe_token(ctx.settings.link_secret, ctx.tenant.key, email, category)
    return urlencode({"email": email, "category": category, "token": token})


def unsubscribe_url(ctx: Context, email: str, category: str) -> str:
    """The API's unsubscribe address (List-Unsubscribe, one-click POST)."""
    query = _unsubscribe_query(ctx, email, category)
    return f"{ctx.settings.public_url}/api/v1/{ctx.tenant.key}/unsubscribe?{query}"


def unsubscribe_page_url(ctx: Context, email: str, category: str) -> str:
    """The portal's unsubscribe page (the link in the mail's text)."""
    query = _unsubscribe_query(ctx, email, category)
    return f"{ctx.settings.portal_url}/{ctx.tenant.key}/abbestellen?{query}"


def withdrawal_url(ctx: Context, email: str) -> str:
    """The portal's page to withdraw the consent (the link in the mail's text): it asks first,
    in the reader's language, and withdraws through this API's consent/withdraw."""
    settings, tenant = ctx.settings, ctx.tenant.key
    token = link_rules.withdrawal_token(settings.link_secret, tenant, email)
    query = urlencode({"email": email, "token": token})
    return f"{settings.portal_url}/{tenant}/einwilligung-widerrufen?{query}"


def check_unsubscribe_link(ctx: Context, email: str, category: str, token: str) -> None:
    """Raises Forbidden unless the token is the link secret's for this tenant, address and category."""
    expected = link_rules.unsubscribe_token(
        ctx.settings.link_secret, ctx.tenant.key, email, category
    )
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise Forbidden("Der Abmeldelink ist ungültig.")


def check_withdrawal_link(ctx: Context, email: str, token: str) -> None:
    """Raises Forbidden unless the token is the link secret's for this tenant and address."""
    expected = link_rules.withdrawal_token(ctx.settings.link_secret, ctx.tenant.key, email)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise Forbidden("Der Link zum Widerruf der Einwilligung ist ungültig.")
