"""HTTP API of the voting service (blueprints under /api/v1/<tenant>/), one module per aggregate."""

from __future__ import annotations

from knotenpunkt.services.voting.api.ballots import ballots_bp
from knotenpunkt.services.voting.api.electorates import electorates_bp

BLUEPRINTS = (electorates_bp, ballots_bp)
