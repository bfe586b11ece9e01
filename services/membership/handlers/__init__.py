"""The membership service's use cases, one module per aggregate.

A write is ``handler(cmd, conn, ctx)`` with a frozen dataclass command; a read
takes keyword filters. Handlers apply the domain rules, write through the
stores and add their own outbox events; routes and the worker call them alike.
"""
