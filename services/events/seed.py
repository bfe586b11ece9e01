"""Demo data of the events service: the consultations the tenant files name (Chemnitz 2016)."""

from __future__ import annotations

from services.events import store
from shared.config import Settings
from shared.db import Database
from shared.tenants import TenantRegistry


def seed_consultations(settings: Settings) -> int:
    """Create each consultation of the tenant files once (by title); returns how many were new."""
    registry = TenantRegistry.load(settings.tenants_dir)
    db = Database(settings.app_url("events"), min_size=1, max_size=1, name="seed")
    db.open()
    added = 0
    try:
        for t in registry:
            with db.transaction(t.key) as conn:
                titles = {c["title"] for c in store.list_consultations(conn)}
                for c in t.rules["consultations"]:
                    if c["title"] not in titles:
                        store.create_consultation(
                            conn,
                            t.key,
                            {
                                "title": c["title"],
                                "opens": c["opens"],
                                "closes": c["closes"],
                                "topics": t.rules["policy_fields"],
                                "anonymous": c["anonymous"],
                            },
                        )
                        added += 1
    finally:
        db.close()
    return added
