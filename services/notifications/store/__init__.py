"""SQL of the notifications service, one module per aggregate; every function runs in the
caller's unit of work.

Stores decide nothing and publish nothing: who is told what is decided in ``domain`` and
``handlers``; times come in as parameters (``now``), never from the database's clock.
"""

from knotenpunkt.services.notifications.store import (  # noqa: E402 (the package's modules, as ctx.store's attributes)
    copies,
    deliveries,
    preferences,
    privacy,
    webhooks,
)

__all__ = ["copies", "deliveries", "preferences", "privacy", "webhooks"]
