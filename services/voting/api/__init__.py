"""HTTP API of the voting service (blueprints under /api/v1/<tenant>/), one module per aggregate."""

from __future__ import annotations

from knotenpunkt.services.voting.api.ballots import ballots_bp
from knotenpunkt.services.voting.api.electorates import electorates_bp
from knotenpunkt.services.voting.privacy_catalogue import CATALOGUE, NOTICES
from knotenpunkt.shared.privacy_statement import statement_blueprint

statement_bp = statement_blueprint("voting", CATALOGUE, NOTICES)
BLUEPRINTS = (electorates_bp, ballots_bp, statement_bp)
