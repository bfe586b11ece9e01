"""SQL of the membership service, one module per aggregate; every function runs in the caller's unit of work.

Stores decide nothing and publish nothing: the handlers apply the rules and add the events.
"""

from knotenpunkt.services.membership.store import (  # noqa: E402 (the package's modules, as ctx.store's attributes)
    applications,
    common,
    directories,
    federation,
    imports,
    monitoring,
    oparl,
    partners,
    privacy,
    working_groups,
)

__all__ = [
    "applications",
    "common",
    "directories",
    "federation",
    "imports",
    "monitoring",
    "oparl",
    "partners",
    "privacy",
    "working_groups",
]
