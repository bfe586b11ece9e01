"""Marshmallow schemas of the membership API, one module per aggregate."""
