"""Marshmallow schemas of the events API, one module per aggregate: meetings, planning, consultations."""
