"""SQL of the membership service, one module per aggregate; every function runs in the caller's unit of work.

Stores decide nothing and publish nothing: the handlers apply the rules and add the events.
"""
