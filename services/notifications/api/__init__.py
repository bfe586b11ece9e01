"""HTTP API of the notifications service (blueprints under /api/v1/<tenant>/), one module per
aggregate."""

from __future__ import annotations

from knotenpunkt.services.notifications.api.deliveries import notifications_bp
from knotenpunkt.services.notifications.api.preferences import prefs_bp
from knotenpunkt.services.notifications.api.webhooks import webhooks_bp

BLUEPRINTS = (notifications_bp, webhooks_bp, prefs_bp)
