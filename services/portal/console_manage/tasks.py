"""What waits for the Koordinierungsstelle: the console's start page for coordinators."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..client import as_user_all
from ..nav import listed

# A count shown on the start page is exact up to this many (more: „mehr als …“).
COUNT_LIMIT = 100


def coordinator_tasks(tenant: str) -> dict:
    """What waits for the Koordinierungsstelle, each with a count and where to do it: the
    applications to check, topic submissions, working-group proposals, sessions due or
    overdue by the cadence, failed deliveries, partner networks unreachable for longer than
    FEDERATION_STALE_HOURS; and the open ballots."""
    checked, proposals_reply, cadence_reply, failed_reply, pending, ballots, peers = as_user_all(
        (
            "GET",
            "membership",
            tenant,
            "applications",
            {"params": {"status": "submitted", "page_size": 5}},
        ),
        ("GET", "membership", tenant, "working-group-proposals"),
        ("GET", "events", tenant, "cadence"),
        (
            "GET",
            "notifications",
            tenant,
            "notifications",
            {"params": {"status": "failed", "limit": COUNT_LIMIT + 1}},
        ),
        # one call for the whole network: the submissions still to decide, of events not cancelled
        (
            "GET",
            "events",
            tenant,
            "topic-submissions",
            {"params": {"status": "submitted", "page_size": 50}},
        ),
        ("GET", "voting", tenant, "ballots", {"params": {"status": "open"}}),
        ("GET", "membership", tenant, "federation/peers"),
    )
    proposals = [p for p in listed(proposals_reply) if p.get("status") in ("submitted", "in_vote")]
    cadence = listed(cadence_reply)
    failed = listed(failed_reply)
    submissions = listed(pending)
    # federation peers unreachable for longer than FEDERATION_STALE_HOURS (told by mail too)
    stale_peers = [p for p in listed(peers) if p.get("stale_notified_at")]
    to_check = checked.data.get("items", []) if checked.ok else []
    tasks = [
        {
            "key": "applications",
            "label": _("Anträge zu prüfen"),
            "count": (checked.data or {}).get("total", 0) if checked.ok else 0,
            "url": url_for("console.applications", tenant=tenant, status="submitted"),
        },
        {
            "key": "submissions",
            "label": _("Eingereichte Themen für Tagesordnungen"),
            "count": (pending.total or 0) if pending.ok else 0,
            "url": url_for("console.home", tenant=tenant) + "#submissions",
        },
        {
            "key": "proposals",
            "label": _("Gründungsanträge für Arbeitsgruppen"),
            "count": len(proposals),
            "url": url_for("console.home", tenant=tenant) + "#proposals",
        },
        {
            "key": "cadence",
            "label": _("Sitzungen fällig oder überfällig"),
            "count": sum(1 for c in cadence if c.get("status") in ("due", "overdue")),
            "url": url_for("console.home", tenant=tenant) + "#cadence",
        },
        {
            "key": "failed",
            "label": _("Fehlgeschlagene Zustellungen"),
            "count": min(len(failed), COUNT_LIMIT),
            "more": len(failed) > COUNT_LIMIT,
            "url": url_for("manage.deliveries", tenant=tenant, status="failed"),
        },
        {
            "key": "peers",
            "label": _("Partnernetzwerke nicht erreichbar"),
            "count": len(stale_peers),
            "url": url_for("console.home", tenant=tenant) + "#peers",
        },
    ]
    return {
        "tasks": tasks,
        "to_check": to_check,
        "proposals": proposals,
        "cadence": cadence,
        "submissions": submissions,
        "stale_peers": stale_peers,
        "open_ballots": listed(ballots),
    }
