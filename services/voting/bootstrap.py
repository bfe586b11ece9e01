"""The voting service's dependencies, built once per process for its app and its worker."""

from __future__ import annotations

from knotenpunkt.services.voting import store
from knotenpunkt.services.voting.rules_cache import RulesCache
from knotenpunkt.shared.groupcommit import GroupCommit


def deps(settings, tenants) -> dict:
    """store: the SQL (``ctx.store``); ballot_rules: the cast rules of the ballots seen (fixed
    at opening), so that a cast reads only the status; cast_batch: the group commit of the
    casts of this process (VOTING_BATCH_MAX casts or VOTING_BATCH_WAIT_MS, whichever first;
    a maximum of 0 or 1 casts each vote alone)."""
    return {
        "store": store,
        "ballot_rules": RulesCache(),
        "cast_batch": GroupCommit(
            settings.voting_batch_max, settings.voting_batch_wait_ms / 1000.0
        ),
    }
