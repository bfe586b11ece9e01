"""The notifications service's dependencies, built once per process by its composition root."""

from __future__ import annotations

import functools

from knotenpunkt.services.notifications import channels, render


def deps(settings, tenants) -> dict:
    """renderer: the e-mail templates, with the tenants' overrides under TENANTS_DIR/templates;
    mailer: a factory of the mailer (SMTP_URL, or .eml files in MAIL_DIR), one per delivery run.
    """
    return {
        "renderer": render.Renderer(settings.tenants_dir / "templates"),
        "mailer": functools.partial(channels.mailer_for, settings),
    }
