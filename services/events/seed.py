"""Demo data of the events service: the consultations the tenant files name (Chemnitz 2016)."""

from __future__ import annotations

from knotenpunkt.services.events.bootstrap import deps
from knotenpunkt.services.events.handlers import consultations
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.usecase import Clock, Context, utcnow


def seed_consultations(settings: Settings, clock: Clock = utcnow) -> int:
    """Create each consultation of the served networks' tenant files once (by title); returns
    how many were new."""
    registry = TenantRegistry.from_settings(settings)
    db = Database(settings.app_url("events"), min_size=1, max_size=1, name="seed")
    db.open()
    added = 0
    wired = deps(settings, registry)
    try:
        for t in registry:
            ctx = Context(
                settings=settings, tenant=t, now=clock(), actor="seed", deps=wired, service="events"
            )
            with db.transaction(t.key) as conn:
                titles = {c["title"] for c in consultations.consultations(conn, ctx)}
                for c in t.rules["consultations"]:
                    if c["title"] not in titles:
                        cmd = consultations.CreateConsultation(
                            c["title"], c["opens"], c["closes"], None, c["anonymous"]
                        )
                        consultations.create_consultation(cmd, conn, ctx)
                        added += 1
    finally:
        db.close()
    return added
