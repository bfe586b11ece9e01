"""Tenant rules: the loader of deploy/tenants/<key>.yaml (its schema: ``shared.tenant_schema``).

Code reads rules (``membership.mode``, a body's ``decision_rule`` …), never a
tenant's name. A broken file stops start-up with one message that names the
file, the field and the problem.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from marshmallow import ValidationError

from knotenpunkt.shared.tenant_schema import (
    TenantSchema,
    cross_checks,
    defaults_from_other_rules,
    problems_of,
)


class TenantConfigError(Exception):
    """A tenant file is missing, unreadable or breaks the schema; the message says where."""


@dataclass(frozen=True)
class Tenant:
    """One network's rules, as loaded and checked from its file."""

    key: str
    rules: dict
    source: Path

    @property
    def name(self) -> str:
        return self.rules["name"]

    @property
    def membership(self) -> dict:
        return self.rules["membership"]

    def body(self, key: str) -> dict | None:
        """The body with this key, or None."""
        return next((b for b in self.rules["bodies"] if b["key"] == key), None)

    def body_or_404(self, key: str) -> dict:
        """The body with this key; raises NotFound naming the bodies the network has."""
        body = self.body(key)
        if body is None:
            from knotenpunkt.shared.errors import NotFound

            known = ", ".join(b["key"] for b in self.bodies) or "keine"
            raise NotFound(
                f"Ein Gremium '{key}' gibt es in diesem Netzwerk nicht (Gremien: {known}).",
                field="body",
            )
        return body

    def sender(self, fallback: str) -> str:
        """The `From` of this network's mail: its own name and address, else the fallback's.

        ``fallback`` is the MAIL_FROM setting (``Name <address>``); the tenant file's
        ``mail.from_name`` (default: the network's name) and ``mail.from_address`` win.
        """
        from email.utils import formataddr, parseaddr

        name, address = parseaddr(fallback)
        mail = self.rules.get("mail") or {}
        return formataddr(
            (mail.get("from_name") or self.name or name, mail.get("from_address") or address)
        )

    def reply_to(self) -> str | None:
        """Where replies go: ``mail.reply_to``, else the contact point's address (or None)."""
        mail = self.rules.get("mail") or {}
        return mail.get("reply_to") or self.rules["contact_point"].get("email")

    @property
    def tz(self) -> ZoneInfo:
        """The network's time zone (tenant file `timezone`, default Europe/Berlin)."""
        return ZoneInfo(self.rules["timezone"])

    @property
    def bodies(self) -> list[dict]:
        return self.rules["bodies"]


# libyaml's safe loader where PyYAML was built with it: the pure-Python one took about 40 ms
# per tenant file, most of a 400-tenant start-up.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _tenant_schema() -> TenantSchema:
    """One schema for every file: a new one per file built its nested schemas anew (a third of
    the load time); loading keeps no state in it."""
    return TenantSchema()


def load_file(path: Path) -> Tenant:
    """Load and check one tenant file.

    Raises TenantConfigError naming the file, the field and the problem.
    """
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except OSError as exc:
        raise TenantConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise TenantConfigError(f"{path}: is not valid YAML{where}") from exc
    if not isinstance(raw, dict):
        raise TenantConfigError(f"{path}: must hold a mapping of rules, not {type(raw).__name__}")
    try:
        data = _tenant_schema().load(raw)
    except ValidationError as exc:
        problems = problems_of(exc.messages)
    else:
        problems = cross_checks(data)
        if data["key"] != path.stem:
            problems.append(("key", f"'{data['key']}' differs from the file name '{path.stem}'"))
    if problems:
        lines = "; ".join(f"{field}: {msg}" for field, msg in sorted(problems))
        raise TenantConfigError(f"{path}: {lines}")
    defaults_from_other_rules(data)
    return Tenant(key=data["key"], rules=data, source=path)


def selected_tenants(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """The tenant keys of the ``TENANTS`` setting (a comma list); empty means all files.

    Raises TenantConfigError for a key that cannot name a tenant file.
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    keys: list[str] = []
    for item in items:
        key = item.strip()
        if not key:
            continue
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", key):
            raise TenantConfigError(
                f"TENANTS: {key!r} is no tenant key (lower-case a-z, 0-9, _ and -)"
            )
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def shared_contacts(tenants: Iterable[Tenant]) -> list[str]:
    """Warnings for tenants that share a contact-point or sender address (a copied file
    would mail the wrong office)."""
    seen: dict[tuple[str, str], list[str]] = {}
    for t in tenants:
        cp = t.rules["contact_point"]
        mail = t.rules.get("mail") or {}
        for what, value in (
            ("contact_point.email", cp.get("email")),
            ("mail.from_address", mail.get("from_address")),
            ("mail.reply_to", mail.get("reply_to")),
        ):
            if value:
                seen.setdefault((what, value.strip().lower()), []).append(t.key)
    return [
        f"{what} {address} steht in mehreren Netzwerken ({', '.join(keys)}): "
        "eine kopierte Datei schickt Post an die falsche Stelle"
        for (what, address), keys in sorted(seen.items())
        if len(keys) > 1
    ]


class TenantRegistry:
    """All tenants of one deployment, loaded from a folder of YAML files."""

    def __init__(self, tenants: dict[str, Tenant]):
        self._tenants = dict(tenants)

    @classmethod
    def load(cls, folder: Path, keys: Iterable[str] | str | None = None) -> TenantRegistry:
        """Load the deployment's tenant files; raises TenantConfigError on the first bad file.

        ``keys`` (a list or a comma list) names the tenants this instance serves: only
        their files ``<folder>/<key>.yaml`` are read. Without ``keys`` the setting
        ``TENANTS`` from the environment decides; without that, every *.yaml in the folder.
        """
        folder = Path(folder)
        selected = selected_tenants(os.environ.get("TENANTS", "") if keys is None else keys)
        if selected:
            files = [folder / f"{key}.yaml" for key in selected]
            missing = [f.name for f in files if not f.is_file()]
            if missing:
                raise TenantConfigError(
                    f"{folder}: TENANTS names {', '.join(selected)}, but there is no "
                    f"{', '.join(missing)}"
                )
        else:
            files = sorted(folder.glob("*.yaml"))
        if not files:
            raise TenantConfigError(f"{folder}: holds no tenant file (*.yaml)")
        return cls({t.key: t for t in (load_file(f) for f in files)})

    @classmethod
    def from_settings(cls, settings) -> TenantRegistry:
        """The tenants that ``settings.tenants`` selects from ``settings.tenants_dir`` (all if none)."""
        return cls.load(settings.tenants_dir, tuple(settings.tenants))

    def get(self, key: str) -> Tenant | None:
        return self._tenants.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._tenants

    def __iter__(self):
        return iter(self._tenants.values())

    def keys(self) -> list[str]:
        return sorted(self._tenants)
