"""Marshmallow schemas of the voting API, one module per aggregate."""
