"""The partner overviews published so far, each linking to its printable document."""

from __future__ import annotations

from flask import render_template

from ..client import public
from ..nav import COORDINATORS, listed, signed_in
from .blueprint import bp


@bp.get("/partneruebersicht")
@signed_in(*COORDINATORS)
def overviews(tenant):
    items = listed(public("membership", tenant, "directory/publications"))
    return render_template("console/overviews.html", items=items)
