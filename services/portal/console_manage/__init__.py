"""The Koordinierungsstelle's management pages: what needs it (the start page's tasks), the
records it keeps (partners, contacts, doctors, offers, the responsibility matrix), bodies and
their members, the published partner overviews and the delivery log.

Every page calls the services' APIs with the signed-in person's token; nothing is kept here.
Importing the package puts every page on `bp` (blueprint "manage").
"""

from __future__ import annotations

from . import bodies, deliveries, imports, overviews, records  # noqa: F401  (their pages are on bp)
from .blueprint import bp

__all__ = ["bp"]
