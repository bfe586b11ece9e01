"""HTTP API of the notifications service (blueprints under /api/v1/<tenant>/), one module per
aggregate."""

from __future__ import annotations

from knotenpunkt.services.notifications.api.deliveries import notifications_bp
from knotenpunkt.services.notifications.api.preferences import prefs_bp
from knotenpunkt.services.notifications.api.webhooks import webhooks_bp
from knotenpunkt.services.notifications.privacy_catalogue import CATALOGUE, NOTICES
from knotenpunkt.shared.privacy_statement import statement_blueprint

statement_bp = statement_blueprint("notifications", CATALOGUE, NOTICES)
BLUEPRINTS = (notifications_bp, webhooks_bp, prefs_bp, statement_bp)
