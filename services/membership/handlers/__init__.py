"""The membership service's use cases, one module per aggregate.

A write is ``handler(cmd, conn, ctx)`` with a frozen dataclass command; a read
takes keyword filters. Handlers apply the domain rules, reach SQL only through
``ctx.store.<module>`` and add their outbox events with ``shared.usecase.emit``;
routes and the worker call them alike.
"""
