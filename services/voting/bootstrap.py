"""The voting service's dependencies, built once per process for its app and its worker."""

from __future__ import annotations

from knotenpunkt.services.voting import store
from knotenpunkt.services.voting.rules_cache import RulesCache


def deps(settings, tenants) -> dict:
    """store: the SQL (``ctx.store``); ballot_rules: the cast rules of the ballots seen (fixed
    at opening), so that a cast reads only the status."""
    return {"store": store, "ballot_rules": RulesCache()}
