"""The notifications service's dependencies, built once per process for its app and its worker."""

from __future__ import annotations

import functools

from knotenpunkt.services.notifications import channels, render, store


# the SQL of the service (``ctx.store``), the same in every process
def deps(settings, tenants) -> dict:
    """store: the SQL (``ctx.store``); renderer: the e-mail templates, with the tenants' overrides under TENANTS_DIR/templates;
    mailer: a factory of the mailer (SMTP_URL, or .eml files in MAIL_DIR), one per delivery run.
    """
    return {
        "store": store,
        "renderer": render.Renderer(settings.tenants_dir / "templates"),
        "mailer": functools.partial(channels.mailer_for, settings),
    }
