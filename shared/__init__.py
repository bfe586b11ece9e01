"""Knotenpunkt's shared parts: settings, tenant rules, database, messaging, web and workers.

Imported only as ``knotenpunkt.shared`` (``knotenpunkt/shared`` links to this folder): a bare
``import shared`` would load a second copy of every module, whose classes (``NotFound`` …)
differ from the real ones.
"""

if __name__ != "knotenpunkt.shared":
    raise ImportError(
        f"import knotenpunkt.shared, not {__name__!r}: the shared code is a subpackage of knotenpunkt",
        name=__name__,
    )
