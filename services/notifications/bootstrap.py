"""The notifications service's dependencies, built once per process by its composition root."""

from __future__ import annotations

from services.notifications import render


def deps(settings, tenants) -> dict:
    """renderer: the e-mail templates, with the tenants' overrides under TENANTS_DIR/templates."""
    return {"renderer": render.Renderer(settings.tenants_dir / "templates")}
