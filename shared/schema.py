"""Schema helpers shared by the services."""

from __future__ import annotations

import copy

from marshmallow import Schema, missing


def patch_of(schema_cls: type[Schema], name: str) -> type[Schema]:
    """A schema for PATCH: the same fields, none required, no defaults filled in.

    A plain partial load would still apply load_default values and so
    overwrite fields the caller never sent.
    """
    fields_ = {}
    for field_name, field in schema_cls._declared_fields.items():
        clone = copy.copy(field)
        clone.required = False
        clone.load_default = missing
        fields_[field_name] = clone
    return Schema.from_dict(fields_, name=name)
