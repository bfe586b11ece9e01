"""The Knotenpunkt services: membership, voting, events, notifications, and the portal.

Imported only as ``knotenpunkt.services`` (``knotenpunkt/services`` links to this folder).
"""

if __name__ != "knotenpunkt.services":
    raise ImportError(
        f"import knotenpunkt.services, not {__name__!r}: the services are a subpackage of knotenpunkt",
        name=__name__,
    )
