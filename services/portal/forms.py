"""Form helpers: the error summary's entries linked to their fields, API problems mapped onto fields."""

from __future__ import annotations

from flask_babel import gettext as _


def field_id(name: str) -> str:
    """The HTML id of the field an API error path names ("organisation.name" → "organisation-name")."""
    return "f-" + name.replace(".", "-").replace("_", "-")


class Errors:
    """Messages per field, in the order of the form, and messages about the whole form."""

    def __init__(self, order: list[str] | None = None):
        self.order = order or []
        self.fields: dict[str, list[str]] = {}
        self.general: list[str] = []

    def add(self, field: str | None, message: str) -> None:
        if field:
            self.fields.setdefault(field, []).append(message)
        else:
            self.general.append(message)

    def from_reply(self, reply, aliases: dict[str, str] | None = None) -> None:
        """A problem+json answer: per-field messages where the field is on the form, else the detail."""
        from .labels import quoted_choices

        aliases = aliases or {}
        placed = False
        for key, messages in reply.errors.items():
            name = aliases.get(key, key)
            for m in messages:
                self.add(name if name in self.order else None, quoted_choices(m))
            placed = True
        if not placed:
            detail = reply.detail or _("Das hat nicht geklappt. Bitte versuchen Sie es erneut.")
            self.add(None, quoted_choices(detail))

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, field: str) -> list[str]:
        return self.fields.get(field, [])

    def summary(self) -> list[tuple[str | None, str]]:
        """(anchor or None, message) in the order of the form."""
        out = [(None, m) for m in self.general]
        for name in self.order + [f for f in self.fields if f not in self.order]:
            out.extend((field_id(name), m) for m in self.fields.get(name, []))
        return out
