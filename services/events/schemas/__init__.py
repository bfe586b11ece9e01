"""Marshmallow schemas of the events API, one module per aggregate.

This module holds what they share: the length of keys and names, and the page of a list
(50 items unless asked otherwise; the plausible years of a date are ``shared.schema``'s).
"""

from __future__ import annotations

from marshmallow import validate

from knotenpunkt.shared.schema import page_query

KEY = validate.Length(max=100)
NAME = validate.Length(max=300)
PageQuery = page_query(50)
