"""Voting service: the Flask app factory."""

from __future__ import annotations

from knotenpunkt.shared.web import create_service_app


def create_app(settings=None, tenants=None, clock=None):
    """Build the voting app (raises TenantConfigError when a tenant file is broken).

    clock: where the handlers take the time from (tests pass their own; default: UTC now).
    """
    from knotenpunkt.services.voting.api import BLUEPRINTS
    from knotenpunkt.services.voting.domain import RulesCache

    return create_service_app(
        "voting",
        BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Abstimmungen",
        clock=clock,
        # the cast rules of the ballots seen (fixed at opening): a cast reads only the status
        deps={"ballot_rules": RulesCache()},
    )
