"""The notifications service's use cases, called by its routes and by its worker's consumers
and jobs.

One module per aggregate: ``deliveries`` (plan an event's messages, deliver, resend, the
delivery log), ``preferences`` (opt out, language, consent withdrawal), ``webhooks``
(subscriptions), ``copies`` (recipients copied from membership), ``privacy`` (a person's
requests, retention); ``links`` builds and checks the signed links in a mail.
Each write takes a command and ``(cmd, conn, ctx)``; reads take ``(conn, ctx, **filters)``.
Settings come from ``ctx.settings``, the renderer and the mailer from ``ctx.dep(...)``
(``bootstrap.deps``), the SQL from ``ctx.store``, the time from ``ctx.now``; events go out
through ``shared.usecase.emit``.
"""

from __future__ import annotations

from knotenpunkt.services.notifications.handlers.copies import (
    AddBodyMember,
    DropPartner,
    EraseContact,
    KeepContact,
    KeepPartner,
    RemoveBodyMember,
    add_body_member,
    drop_partner,
    erase_contact,
    keep_contact,
    keep_partner,
    remove_body_member,
)
from knotenpunkt.services.notifications.handlers.deliveries import (
    Deliver,
    Delivered,
    Notify,
    Resend,
    deliver,
    delivery_counts,
    list_notifications,
    notify,
    resend,
    still_due,
)
from knotenpunkt.services.notifications.handlers.preferences import (
    CATEGORY_DE,
    SetPreference,
    Unsubscribe,
    WithdrawConsent,
    preferences,
    set_preference,
    unsubscribe,
    unsubscribe_preview,
    withdraw_consent,
    withdrawal_preview,
)
from knotenpunkt.services.notifications.handlers.webhooks import (
    DeleteWebhook,
    SubscribeWebhook,
    delete_webhook,
    list_webhooks,
    subscribe_webhook,
)

__all__ = [
    "CATEGORY_DE",
    "AddBodyMember",
    "DeleteWebhook",
    "Deliver",
    "Delivered",
    "EraseContact",
    "KeepContact",
    "KeepPartner",
    "Notify",
    "DropPartner",
    "RemoveBodyMember",
    "Resend",
    "SetPreference",
    "SubscribeWebhook",
    "Unsubscribe",
    "WithdrawConsent",
    "add_body_member",
    "delete_webhook",
    "deliver",
    "delivery_counts",
    "erase_contact",
    "keep_contact",
    "keep_partner",
    "list_notifications",
    "list_webhooks",
    "notify",
    "preferences",
    "drop_partner",
    "remove_body_member",
    "resend",
    "set_preference",
    "still_due",
    "subscribe_webhook",
    "unsubscribe",
    "unsubscribe_preview",
    "withdraw_consent",
    "withdrawal_preview",
]
