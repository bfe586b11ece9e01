"""An import's partners reach the other services like any other partner, and an undone import
takes them out of their copies again (issue 22, point 4 and 6)."""

from __future__ import annotations

import io

from tests.integration.test_imports import csv_bytes
from tests.support import unique


def copies(flow, tenant: str, pid: str) -> tuple:
    with flow.workers["events"].db.transaction(tenant) as conn:
        event_copy = conn.execute(
            "select name from partner_copies where partner_id = %s", (pid,)
        ).fetchone()
    with flow.workers["notifications"].db.transaction(tenant) as conn:
        recipient = conn.execute(
            "select name from recipients where kind = 'partner' and ref = %s", (pid,)
        ).fetchone()
    return event_copy, recipient


def test_imported_partners_reach_the_copies_and_leave_them_on_undo(clients, token, flow):
    c, coord = clients["membership"], token("saalekreis", "coordinator")
    name = unique("Importverein")
    upload = c.post(
        "/api/v1/saalekreis/imports",
        data={"kind": "partners", "file": (io.BytesIO(csv_bytes([["Name", "E-Mail"], [name, "info@import.example"]])), "p.csv")},
        headers=coord,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 201, upload.get_json()
    applied = c.post(
        f"/api/v1/saalekreis/imports/{upload.get_json()['id']}/apply", json={}, headers=coord
    )
    pid = applied.get_json()["rows"][0]["record"]
    flow.settle()
    assert copies(flow, "saalekreis", pid) == ({"name": name}, {"name": name})
    undone = c.post(f"/api/v1/saalekreis/imports/{upload.get_json()['id']}/undo", headers=coord)
    assert undone.status_code == 200, undone.get_json()
    flow.settle()
    assert copies(flow, "saalekreis", pid) == (None, None)
