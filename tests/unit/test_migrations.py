"""Every tenant table is isolated the one way: shared/migrations/0000_isolate_tenant.sql."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(ROOT.glob("shared/migrations/*.sql")) + sorted(
    ROOT.glob("services/*/migrations/*.sql")
)


def test_only_isolate_tenant_enables_row_level_security():
    by_hand = [
        str(path.relative_to(ROOT))
        for path in MIGRATIONS
        if path.name != "0000_isolate_tenant.sql"
        and re.search(r"row level security|create policy", path.read_text(), re.I)
    ]
    assert by_hand == []


def test_every_table_with_a_tenant_column_is_isolated_where_it_is_created():
    missing = []
    for path in MIGRATIONS:
        text = path.read_text()
        for table, body in re.findall(r"create table (\w+) \((.*?)\n\);", text, re.S):
            if re.search(r"^\s*tenant\s", body, re.M) and f"isolate_tenant('{table}')" not in text:
                missing.append(f"{path.name}: {table}")
    assert missing == []
