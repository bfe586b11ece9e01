"""The console's Einzug pages over the real services: upload, mapping, preview filtered by
verdict, a choice per row, apply, undo, the log, the downloads (issue 22, point 7)."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.browser.live import csrf_token
from tests.integration.test_imports import csv_bytes
from tests.integration.test_portal_manage import page, signed_in
from tests.support import unique


def test_upload_map_preview_apply_undo_in_the_console(portal):
    web = signed_in(portal, "chemnitz")
    tag = unique("konsole")
    html = page(web, "/chemnitz/console/einzug")
    assert "Einzug: Tabellen importieren" in html and 'value="responsibilities"' not in html
    data = csv_bytes(
        [
            ["Bezeichnung", "PLZ", "Notiz"],
            [f"Verein {tag}", "09111", "a"],
            [f"Zwei {tag}", "0911", "b"],
        ]
    )
    resp = web.post(
        "/chemnitz/console/einzug",
        data={
            "csrf_token": csrf_token(html),
            "kind": "partners",
            "file": (io.BytesIO(data), "p.csv"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    url = resp.headers["Location"]
    preview = page(web, url)
    assert "Keine Spalte für: Name" in preview, preview[preview.find("<main") :][:3000]
    mapping = web.post(
        f"{url}/zuordnung",
        data={
            "csrf_token": csrf_token(preview),
            "columns": "3",
            "column-0": "name",
            "column-1": "postcode",
            "column-2": "",
        },
    )
    assert mapping.status_code == 302
    preview = page(web, url)
    assert "Keine Spalte" not in preview and f"Verein {tag}" in preview
    errors_only = page(web, f"{url}?urteil=error")
    assert (
        "Zeile 3, Spalte PLZ: 0911 ist keine Postleitzahl" in errors_only
        and f"Verein {tag}" not in errors_only
    )
    download = web.get(f"{url}/fehler.xlsx")
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.data)).active["A2"].value == f"Zwei {tag}"
    applied = web.post(
        f"{url}/anwenden", data={"csrf_token": csrf_token(preview), "row-2": "create"}
    )
    assert applied.status_code == 302
    done = page(web, url)
    assert "Der Import ist angewendet." in done and "angelegt: 1" in done
    log = page(web, "/chemnitz/console/einzug")
    assert re.search(r"p\.csv</a></th>\s*<td>Partner", log)
    undone = web.post(f"{url}/rueckgaengig", data={"csrf_token": csrf_token(done)})
    assert undone.status_code == 302
    assert "Der Import ist rückgängig gemacht." in page(web, url)


def test_export_buttons_on_the_lists(portal):
    web = signed_in(portal, "chemnitz")
    html = page(web, "/chemnitz/console/verwalten/partner")
    assert "/chemnitz/console/export/partners.xlsx" in html
    csv_file = web.get("/chemnitz/console/export/partners.csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbfName;Art;")
    assert 'filename="partners-chemnitz.csv"' in csv_file.headers["Content-Disposition"]


def test_a_spreadsheet_larger_than_other_forms_is_taken(portal):
    web = signed_in(portal, "chemnitz")
    tag = unique("gross")
    rows = [["Name", "Notiz"]] + [[f"Verein {tag} {i}", "x" * 100] for i in range(6000)]
    data = csv_bytes(rows)
    assert len(data) > 512 * 1024  # the portal's other forms take 256 KiB
    html = page(web, "/chemnitz/console/einzug")
    # the multipart body by hand (the test client would spool a file it does not close)
    fields = {"csrf_token": csrf_token(html), "kind": "partners"}
    body = b"".join(
        f'--kp\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += b'--kp\r\nContent-Disposition: form-data; name="file"; filename="gross.csv"\r\n'
    body += b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--kp--\r\n"
    resp = web.post(
        "/chemnitz/console/einzug", data=body, content_type="multipart/form-data; boundary=kp"
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    assert "6000" in page(web, resp.headers["Location"])


def test_invitees_download_from_the_invitations_page(portal, clients, token):
    from tests.integration.test_events_invitations import meeting

    coord = token("magdeburg", "coordinator")
    eid = meeting(clients["events"], coord, unique("Sitzung"))
    guests = [{"name": "Gast e. V.", "email": f"{unique('g')}@verein.example"}]
    clients["events"].post(
        f"/api/v1/magdeburg/events/{eid}/invitations", json={"guests": guests}, headers=coord
    )
    web = signed_in(portal, "magdeburg")
    html = page(web, f"/magdeburg/console/planung/{eid}/einladungen")
    assert f"/magdeburg/console/planung/{eid}/einladungen.xlsx" in html
    sheet = web.get(f"/magdeburg/console/planung/{eid}/einladungen.csv")
    assert sheet.status_code == 200 and b"Gast e. V.;" in sheet.data
