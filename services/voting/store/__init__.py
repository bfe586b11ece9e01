"""SQL of the voting service, one module per aggregate; every function runs in the caller's unit
of work.

Stores decide nothing and publish nothing: the handlers apply the rules and add the events.
Times come in as parameters (``now``), never from the database's clock.
"""

from knotenpunkt.services.voting.store import (  # noqa: E402 (the package's modules, as ctx.store's attributes)
    ballots,
    common,
    copies,
    privacy,
    record,
    votes,
)

__all__ = ["ballots", "common", "copies", "privacy", "record", "votes"]
