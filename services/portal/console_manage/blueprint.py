"""The management pages' blueprint: every page is a network's (g.tenant, g.rules)."""

from __future__ import annotations

from flask import Blueprint

from ..nav import network_of_url

bp = Blueprint("manage", __name__, url_prefix="/<tenant>/console")
bp.url_value_preprocessor(network_of_url)
