"""Marshmallow schemas of the notifications API, one module per aggregate."""
