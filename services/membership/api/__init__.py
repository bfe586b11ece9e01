"""HTTP API of the membership service (blueprints under /api/v1/<tenant>/), one module per aggregate."""

from __future__ import annotations

from knotenpunkt.services.membership.api.applications import applications_bp
from knotenpunkt.services.membership.api.directories import (
    directory_bp,
    doctors_bp,
    offers_bp,
    resp_bp,
)
from knotenpunkt.services.membership.api.federation import federation_bp, search_bp
from knotenpunkt.services.membership.api.feedback import feedback_bp
from knotenpunkt.services.membership.api.imports import exports_bp, imports_bp
from knotenpunkt.services.membership.api.monitoring import measures_bp
from knotenpunkt.services.membership.api.partners import (
    bodies_bp,
    contacts_bp,
    partners_bp,
    rules_bp,
)
from knotenpunkt.services.membership.api.privacy import privacy_bp
from knotenpunkt.services.membership.api.working_groups import wg_bp
from knotenpunkt.services.membership.privacy_catalogue import CATALOGUE, NOTICES
from knotenpunkt.shared.privacy_statement import statement_blueprint

statement_bp = statement_blueprint("membership", CATALOGUE, NOTICES)

BLUEPRINTS = (
    rules_bp,
    partners_bp,
    bodies_bp,
    contacts_bp,
    applications_bp,
    wg_bp,
    measures_bp,
    directory_bp,
    doctors_bp,
    offers_bp,
    resp_bp,
    federation_bp,
    search_bp,
    privacy_bp,
    imports_bp,
    exports_bp,
    statement_bp,
    feedback_bp,
)
