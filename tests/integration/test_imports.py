"""Issue 22: a network moves in with its spreadsheets. Real files (made by openpyxl, by
LibreOffice from CSV, and CSV in the encodings German offices write) through the API:
preview, mapping, apply with its outbox events, duplicates and choices, undo, bad input."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import msoffcrypto.format.ooxml
import psycopg
import pytest
from openpyxl import Workbook, load_workbook

from tests.support import unique

HEADER = ["Name", "Art", "Straße", "PLZ", "Ort", "E-Mail", "Telefon", "Website", "Themen"]
HEADER += ["Sprachen", "Bemerkung"]


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """office(rows, fmt) -> bytes: a CSV converted by LibreOffice (soffice --headless) to xlsx
    or ods; each conversion is made once per session."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed: apt-get install libreoffice-calc-nogui"
    folder = tmp_path_factory.mktemp("office")
    profile = folder / "profile"
    made: dict = {}

    def convert(rows, fmt: str) -> bytes:
        key = (repr(rows), fmt)
        if key not in made:
            n = len(made)
            source = folder / f"t{n}.csv"
            source.write_bytes(csv_bytes(rows))
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--infilter=CSV:59,34,76,1",
                    "--convert-to",
                    fmt,
                    "--outdir",
                    str(folder),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
            made[key] = Path(folder / f"t{n}.{fmt}").read_bytes()
        return made[key]

    return convert


@pytest.fixture(scope="module")
def api(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator", sub="koordination@stadt-chemnitz.de")

    class Api:
        headers = coord

        def upload(
            self, data, filename="partner.xlsx", kind="partners", tenant="chemnitz", headers=None
        ):
            return c.post(
                f"/api/v1/{tenant}/imports",
                data={"kind": kind, "file": (io.BytesIO(data), filename)},
                headers=headers or coord,
                content_type="multipart/form-data",
            )

        def call(self, method, path, tenant="chemnitz", **kw):
            kw.setdefault("headers", coord)
            return c.open(f"/api/v1/{tenant}{path}", method=method, **kw)

    return Api()


@pytest.fixture(scope="module")
def db(settings):
    def query(sql, args=()):
        with psycopg.connect(settings.admin_url(settings.service_database("membership"))) as conn:
            return conn.execute(sql, args).fetchall()

    return query


def partner_rows(tag):
    return [
        HEADER,
        [f"Caritasverband {tag} e.V.", "Wohlfahrtsverband", "Hauptstraße 1", "09111", "Chemnitz",
         f"info@{tag}.example", "0371 123", f"www.{tag}.example", "Sprache, Arbeit", "Arabisch, Deutsch", "x"],
        [f"Sportverein {tag}", "Sportverein", "Am Platz 2", "0911", "Chemnitz", "", "", "", "", "", ""],
        [f"Bildung {tag} gGmbH", "Bildungsträger", "", "09112", "Chemnitz", "", "", "", "Bildung", "Englisch", ""],
    ]  # fmt: skip


def events(db, routing, subject_ids):
    rows = db(
        "select envelope->>'subject' from outbox where routing_key = %s and envelope->>'subject' = any(%s)",
        (routing, list(subject_ids)),
    )
    return sorted(r[0] for r in rows)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_file_previews_then_applies_with_the_partner_events(api, office, db, fmt):
    tag = unique("lo")
    rows = partner_rows(tag)
    preview = api.upload(office(rows, fmt), f"partner.{fmt}")
    assert preview.status_code == 201, preview.get_json()
    body = preview.get_json()
    assert body["format"] == fmt and body["status"] == "preview"
    fields = [c["field"] for c in body["mapping"]["columns"]]
    assert fields[:10] == ["name", "kind", "street", "postcode", "city", "email", "phone",
                           "website", "topics", "languages"]  # fmt: skip
    assert body["mapping"]["ignored"] == ["Bemerkung"]
    verdicts = {r["row"]: r["verdict"] for r in body["rows"]}
    assert verdicts == {2: "new", 3: "error", 4: "new"}
    error = body["rows"][1]["errors"][0]
    # LibreOffice reads 0911 as the number 911: the cell is refused either way
    assert error["row"] == 3 and error["column"] == "PLZ"
    assert (
        error["message"].startswith("Zeile 3, Spalte PLZ: ")
        and "keine Postleitzahl" in error["message"]
    )
    # the number 09111 (stored as 9111) is the postcode 09111 again
    first = body["rows"][0]["values"]
    assert first["postcode"] == "09111" and first["languages"] == ["ar", "de"]
    assert (
        first["kind"] == "welfare_organisation" and first["website"] == f"https://www.{tag}.example"
    )
    assert body["counts"] == {"new": 2, "update": 0, "duplicate": 0, "error": 1, "total": 3}
    # nothing is written before apply
    assert db("select count(*) from partners where name like %s", (f"%{tag}%",)) == [(0,)]

    applied = api.call("POST", f"/imports/{body['id']}/apply", json={})
    assert applied.status_code == 200, applied.get_json()
    done = applied.get_json()
    assert done["status"] == "applied" and done["counts"]["created"] == 2
    assert done["counts"]["errors"] == 1 and done["applied_by"] == "koordination@stadt-chemnitz.de"
    ids = [r["record"] for r in done["rows"] if r.get("record")]
    assert len(ids) == 2
    assert events(db, "chemnitz.membership.partner.created", ids) == sorted(ids)
    assert len(events(db, "chemnitz.membership.import.applied", [body["id"]])) == 1
    found = api.call("GET", f"/partners?q={tag}").get_json()
    assert sorted(p["name"] for p in found["items"]) == [
        f"Bildung {tag} gGmbH",
        f"Caritasverband {tag} e.V.",
    ]
    log = api.call("GET", "/imports").get_json()
    entry = next(e for e in log if e["id"] == body["id"])
    assert (
        entry["counts"]["created"] == 2 and entry["created_by"] == "koordination@stadt-chemnitz.de"
    )
    # a second apply is refused
    again = api.call("POST", f"/imports/{body['id']}/apply", json={})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "options",
    [{"bom": True}, {"delimiter": ","}, {"encoding": "cp1252"}, {}],
    ids=["utf8-bom", "comma", "windows-1252", "utf8"],
)
def test_csv_in_german_office_encodings(api, options):
    tag = unique("csv")
    rows = [
        ["Organisation", "Straße", "PLZ", "Ort"],
        [f"Müller & Söhne {tag}", "Großer Weg 3", "09113", "Chemnitz"],
    ]
    body = api.upload(csv_bytes(rows, **options), "partner.csv").get_json()
    assert body["format"] == "csv"
    assert body["rows"][0]["values"] == {
        "name": f"Müller & Söhne {tag}", "street": "Großer Weg 3", "postcode": "09113", "city": "Chemnitz",
    }  # fmt: skip


def test_duplicates_choices_and_undo(api, db):
    tag = unique("dup")
    existing = api.call(
        "POST",
        "/partners",
        json={"name": f"Diakonie {tag}", "kind": "welfare_organisation", "postcode": "09111",
              "city": "Chemnitz", "phone": "0371 1"},
    ).get_json()  # fmt: skip
    rows = [
        ["Name", "PLZ", "Ort", "Telefon", "Website"],
        [f"diakonie {tag}", "09111", "Chemnitz", "0371 999", ""],  # same name: update
        [f"Diakonie {tag} e.V.", "09111", "Chemnitz", "", ""],  # dedup: same organisation
        [f"Neu {tag}", "09111", "Chemnitz", "", f"https://neu-{tag}.example/"],
        [f"Neu {tag} gGmbH", "", "", "", f"http://www.neu-{tag}.example"],  # same host above
        [f"Drittes {tag}", "09111", "", "", ""],
    ]
    body = api.upload(xlsx_bytes(rows)).get_json()
    got = {r["row"]: (r["verdict"], r["match"], r["action"]) for r in body["rows"]}
    assert got[2] == ("update", {"id": existing["id"], "name": f"Diakonie {tag}"}, "update")
    assert got[3][0] == "duplicate" and got[3][1]["id"] == existing["id"] and got[3][2] == "skip"
    assert got[3][1]["matched_by"].startswith("name:")
    assert got[4] == ("new", None, "create")
    assert got[5][0] == "duplicate" and got[5][1]["row"] == 4 and got[5][2] == "skip"
    bad = api.call("POST", f"/imports/{body['id']}/apply", json={"choices": {"99": "create"}})
    assert bad.status_code == 422 and "Zeile 99" in bad.get_json()["detail"]

    applied = api.call(
        "POST", f"/imports/{body['id']}/apply", json={"choices": {"3": "update", "6": "skip"}}
    ).get_json()
    assert {k: applied["counts"][k] for k in ("created", "updated", "skipped")} == {
        "created": 1, "updated": 2, "skipped": 2,
    }  # fmt: skip
    after = api.call("GET", f"/partners/{existing['id']}").get_json()
    assert after["name"] == f"diakonie {tag}" and after["phone"] == "0371 999"
    assert len(events(db, "chemnitz.membership.partner.updated", [existing["id"]])) == 2
    new_id = next(r["record"] for r in applied["rows"] if r["row"] == 4)

    undone = api.call("POST", f"/imports/{body['id']}/undo")
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["status"] == "undone"
    assert api.call("GET", f"/partners/{new_id}").status_code == 404
    back = api.call("GET", f"/partners/{existing['id']}").get_json()
    assert back["name"] == f"Diakonie {tag}" and back["phone"] == "0371 1"
    assert events(db, "chemnitz.membership.partner.removed", [new_id]) == [new_id]
    assert api.call("POST", f"/imports/{body['id']}/undo").status_code == 409


def test_undo_refused_naming_records_changed_since(api):
    tag = unique("chg")
    rows = [["Name", "PLZ"], [f"Eins {tag}", "09111"], [f"Zwei {tag}", "09111"]]
    body = api.upload(xlsx_bytes(rows)).get_json()
    applied = api.call("POST", f"/imports/{body['id']}/apply", json={}).get_json()
    one = next(r["record"] for r in applied["rows"] if r["row"] == 2)
    assert api.call("PATCH", f"/partners/{one}", json={"city": "Chemnitz"}).status_code == 200
    refused = api.call("POST", f"/imports/{body['id']}/undo")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert f"„Eins {tag}“" in problem["detail"] and [c["id"] for c in problem["changed"]] == [one]
    # nothing was undone
    assert api.call("GET", f"/partners?q={tag}").get_json()["total"] == 2


def test_mapping_is_changed_before_anything_is_written(api):
    tag = unique("map")
    rows = [["Einrichtungsname", "Postleitzahl", "Notiz"], [f"Verein {tag}", "09111", "egal"]]
    body = api.upload(csv_bytes(rows), "x.csv").get_json()
    assert body["mapping"]["missing"] == ["Name"] and body["mapping"]["ignored"] == [
        "Einrichtungsname",
        "Notiz",
    ]
    assert body["rows"][0]["verdict"] == "error"
    assert (
        body["rows"][0]["errors"][0]["message"] == "Zeile 2, Spalte Name: ist leer (Pflichtfeld)."
    )
    wrong = api.call(
        "PUT", f"/imports/{body['id']}/mapping", json={"mapping": ["nom", "postcode", None]}
    )
    assert wrong.status_code == 422 and "Spalte Einrichtungsname" in wrong.get_json()["detail"]
    twice = api.call(
        "PUT", f"/imports/{body['id']}/mapping", json={"mapping": ["name", "name", None]}
    )
    assert twice.status_code == 422
    fixed = api.call(
        "PUT", f"/imports/{body['id']}/mapping", json={"mapping": ["name", "postcode", None]}
    )
    assert fixed.status_code == 200 and fixed.get_json()["rows"][0]["verdict"] == "new"
    only_new = api.call("GET", f"/imports/{body['id']}?verdict=error").get_json()
    assert only_new["rows"] == [] and only_new["counts"]["new"] == 1


def test_error_rows_download_to_fix_and_upload_again(api):
    tag = unique("fix")
    rows = [
        ["Name", "PLZ", "E-Mail"],
        [f"Gut {tag}", "09111", ""],
        [f"Schlecht {tag}", "0911", "kein-at"],
    ]
    body = api.upload(xlsx_bytes(rows)).get_json()
    download = api.call("GET", f"/imports/{body['id']}/errors?format=xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Name", "PLZ", "E-Mail", "Fehler"]
    assert values[1][:3] == [f"Schlecht {tag}", "0911", "kein-at"]
    assert "Zeile 3, Spalte PLZ: 0911 ist keine Postleitzahl" in values[1][3]
    assert "Spalte E-Mail: kein-at ist keine E-Mail-Adresse" in values[1][3]
    as_csv = api.call("GET", f"/imports/{body['id']}/errors?format=csv")
    assert as_csv.data.startswith(b"\xef\xbb\xbfName;PLZ;E-Mail;Fehler\r\n")
    values[1][1], values[1][2] = "09111", "post@fix.example"
    again = api.upload(xlsx_bytes([values[0][:3], values[1][:3]])).get_json()
    assert [r["verdict"] for r in again["rows"]] == ["new"]


def encrypted_xlsx(data: bytes) -> bytes:
    out = io.BytesIO()
    source = msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(data))
    source.encrypt("geheim", out)
    return out.getvalue()


BAD_FILES = {
    "empty": (b"", "Die Datei ist leer."),
    "not-a-spreadsheet": (b"%PDF-1.7\n\x00\x01\x02binary", "keine Tabelle"),
    "corrupt-xlsx": (xlsx_bytes([["Name"], ["A"]])[:400], "beschädigt"),
    "password": (None, "Kennwort"),
    "mixed-encodings": (
        "Name\r\nMüller\r\n".encode() + "Bäcker\r\n".encode("cp1252"),
        "mischt Zeichenkodierungen",
    ),
    "10000-columns": (
        csv_bytes([[f"S{i}" for i in range(10_000)], ["a"] * 10_000]),
        "10000 Spalten",
    ),
    "too-many-rows": (
        b"Name\r\n" + b"Verein\r\n" * 20_001,
        "20001 Zeilen; höchstens 20000",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_in_german_and_nothing_is_stored(api, db, case):
    data, rule = BAD_FILES[case]
    if case == "password":
        data = encrypted_xlsx(xlsx_bytes([["Name"], ["A"]]))
    before = db("select count(*) from imports")
    refused = api.upload(data, "tabelle.xlsx")
    assert refused.status_code == 422, refused.get_json()
    assert refused.mimetype == "application/problem+json"
    assert rule in refused.get_json()["detail"] and refused.get_json()["errors"]["file"]
    assert db("select count(*) from imports") == before


def test_too_large_file_is_413(api):
    # the multipart body by hand (the test client would spool a file it does not close)
    boundary = "kp-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npartners\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="gross.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"Name\r\n"
        + b"x" * (10 * 1024 * 1024 + 10)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    refused = api.call(
        "POST",
        "/imports",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert refused.status_code == 413 and refused.mimetype == "application/problem+json"
    assert "höchstens 10 MiB" in refused.get_json()["detail"]


def test_formulas_are_imported_as_values_never_evaluated(api):
    tag = unique("f")
    book = Workbook()
    book.active.append(["Name", "Website", "Ort"])
    book.active.append([f"Formel {tag}", '=HYPERLINK("http://evil.example","x")', "=1+1"])
    out = io.BytesIO()
    book.save(out)
    body = api.upload(out.getvalue()).get_json()
    # openpyxl stores no computed value: nothing is evaluated, the cells are empty
    assert body["rows"][0]["values"] == {"name": f"Formel {tag}"}
    literal = api.upload(csv_bytes([["Name"], [f"=cmd|'/c calc'!A0 {tag}"]]), "f.csv").get_json()
    assert literal["rows"][0]["values"]["name"] == f"=cmd|'/c calc'!A0 {tag}"


def test_only_the_networks_coordinators_import(api, token):
    data = csv_bytes([["Name"], ["Verein"]])
    assert api.upload(data, "v.csv").status_code == 201  # the coordinator
    for headers in (
        token("chemnitz", "member", bodies=["vorbereitungsgremium"]),
        token("chemnitz", "admin"),
        token("magdeburg", "coordinator"),
    ):
        refused = api.upload(data, headers=headers)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert api.call("GET", "/imports", headers={}).status_code == 401


def test_kinds_only_where_the_networks_rules_use_them(api, token):
    rows = csv_bytes([["Akteur", "Thema", "Zuständigkeit"], ["Jobcenter", "Arbeit", "Vermittlung"]])
    refused = api.upload(rows, "m.csv", kind="responsibilities")
    assert refused.status_code == 422 and "responsibilities" in refused.get_json()["detail"]
    ms = token("mittelsachsen", "coordinator")
    body = api.upload(
        rows, "m.csv", kind="responsibilities", tenant="mittelsachsen", headers=ms
    ).get_json()
    assert body["rows"][0]["verdict"] in ("new", "update")


def test_contacts_with_legal_basis_and_their_organisation(api, db):
    tag = unique("kontakt")
    partner = api.call(
        "POST",
        "/partners",
        json={"name": f"Jugendmigrationsdienst {tag}", "kind": "welfare_organisation"},
    ).get_json()
    rows = [
        ["Ansprechperson", "Organisation", "Funktion", "E-Mail", "Rechtsgrundlage", "Einwilligung am", "Sprachen"],
        [f"Anna Ärger {tag}", f"Jugendmigrationsdienst {tag} e.V.", "Beratung", f"anna@{tag}.example", "Einwilligung", "17.03.2024", "Russisch"],
        [f"Bernd {tag}", "", "", f"bernd@{tag}.example", "Einwilligung", "", ""],
        [f"Carla {tag}", "Gibt es nicht", "", "", "öffentliche Aufgabe", "", ""],
        [f"Dora {tag}", "", "", "", "Art. 6 Abs. 1 lit. f DSGVO", "", ""],
    ]  # fmt: skip
    body = api.upload(xlsx_bytes(rows), kind="contacts").get_json()
    by_row = {r["row"]: r for r in body["rows"]}
    assert by_row[2]["verdict"] == "new" and by_row[2]["values"]["partner_id"] == partner["id"]
    assert by_row[2]["values"]["legal_basis"] == "consent" and by_row[2]["values"]["languages"] == [
        "ru"
    ]
    assert by_row[3]["errors"][0]["message"].startswith("Zeile 3, Spalte Einwilligung am: fehlt")
    assert (
        by_row[4]["errors"][0]["message"]
        == "Zeile 4, Spalte Organisation: „Gibt es nicht“ ist kein verzeichneter Partner."
    )
    assert by_row[5]["values"]["legal_basis"] == "legitimate_interest"
    done = api.call("POST", f"/imports/{body['id']}/apply", json={}).get_json()
    ids = [r["record"] for r in done["rows"] if r.get("record")]
    assert (
        done["counts"]["created"] == 2
        and len(events(db, "chemnitz.membership.contact.created", ids)) == 2
    )
    anna = api.call("GET", f"/contacts/{ids[0]}").get_json()
    assert anna["partner_id"] == partner["id"] and anna["consent_at"].startswith("2024-03-1")
    # the same address again is an update of that contact
    again = api.upload(xlsx_bytes([rows[0], rows[1]]), kind="contacts").get_json()
    assert again["rows"][0]["verdict"] == "update" and again["rows"][0]["match"]["id"] == ids[0]
    undone = api.call("POST", f"/imports/{body['id']}/undo")
    assert undone.status_code == 200
    assert api.call("GET", f"/contacts/{ids[0]}").status_code == 404
    assert len(events(db, "chemnitz.membership.contact.erased", ids)) == 2


def test_matrix_import_apply_and_undo(api, token):
    ms = token("mittelsachsen", "coordinator")
    tag = unique("amt")
    cells = api.call("PUT", "/responsibilities", tenant="mittelsachsen", headers=ms,
                     json={"actor": f"Ausländerbehörde {tag}", "topic": "Aufenthalt", "responsibility": "alt"})  # fmt: skip
    assert cells.status_code == 200
    rows = [
        ["Akteur", "Thema", "Zuständigkeit", "Ansprechperson", "E-Mail"],
        [f"Ausländerbehörde {tag}", "Aufenthalt", "Aufenthaltstitel", "Frau B", f"b@{tag}.example"],
        [f"Jobcenter {tag}", "Arbeit", "Vermittlung", "", ""],
    ]
    body = api.upload(
        csv_bytes(rows), "m.csv", kind="responsibilities", tenant="mittelsachsen", headers=ms
    ).get_json()
    assert [r["verdict"] for r in body["rows"]] == ["update", "new"]
    done = api.call(
        "POST", f"/imports/{body['id']}/apply", tenant="mittelsachsen", headers=ms, json={}
    ).get_json()
    assert done["counts"]["created"] == 1 and done["counts"]["updated"] == 1
    matrix = api.call("GET", "/responsibilities", tenant="mittelsachsen", headers=ms).get_json()
    mine = {
        (c["actor"], c["topic"]): c["responsibility"] for c in matrix["cells"] if tag in c["actor"]
    }
    assert mine == {
        (f"Ausländerbehörde {tag}", "Aufenthalt"): "Aufenthaltstitel",
        (f"Jobcenter {tag}", "Arbeit"): "Vermittlung",
    }
    assert (
        api.call(
            "POST", f"/imports/{body['id']}/undo", tenant="mittelsachsen", headers=ms
        ).status_code
        == 200
    )
    matrix = api.call("GET", "/responsibilities", tenant="mittelsachsen", headers=ms).get_json()
    mine = {
        (c["actor"], c["topic"]): c["responsibility"] for c in matrix["cells"] if tag in c["actor"]
    }
    assert mine == {(f"Ausländerbehörde {tag}", "Aufenthalt"): "alt"}


def test_exports_for_german_excel_in_german_order(api, token, db):
    tag = unique("exp")
    for name in (
        f"Verein Nummer 100 {tag}",
        f"Verein Nummer 76 {tag}",
        f"Ärztehaus {tag}",
        f"Apotheke {tag}",
        f"=SUMME(A1) {tag}",
    ):
        assert (
            api.call(
                "POST", "/partners", json={"name": name, "kind": "other", "topics": ["a", "b"]}
            ).status_code
            == 201
        )
    as_csv = api.call("GET", "/exports/partners?format=csv")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert as_csv.data.startswith(b"\xef\xbb\xbfName;Art;Stra\xc3\x9fe;PLZ;Ort")
    text = as_csv.data[3:].decode()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    names = [line.split(";")[0] for line in text.split("\r\n") if tag in line]
    assert names == [
        f"'=SUMME(A1) {tag}",
        f"Apotheke {tag}",
        f"Ärztehaus {tag}",
        f"Verein Nummer 76 {tag}",
        f"Verein Nummer 100 {tag}",
    ]
    assert f"Apotheke {tag};Sonstige;;;;;;;a, b;" in text
    as_xlsx = api.call("GET", "/exports/partners?format=xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).active
    xnames = [r[0].value for r in sheet.iter_rows() if tag in str(r[0].value)]
    assert xnames == names
    # the export reads back in as an import: every row an update of its partner
    again = api.upload(as_xlsx.data).get_json()
    mine = [r for r in again["rows"] if tag in str(r["values"].get("name"))]
    assert [r["verdict"] for r in mine] == ["update"] * 5
    assert (
        api.call("GET", "/exports/partners", headers=token("chemnitz", "member")).status_code == 403
    )
    assert api.call("GET", "/exports/contacts?format=csv").data.startswith(
        b"\xef\xbb\xbfName;Organisation"
    )

    ms = token("mittelsachsen", "coordinator")
    for actor, topic in (
        (f"Ämter {tag}", "Wohnen"),
        (f"Jobcenter {tag}", "Arbeit"),
        (f"Ämter {tag}", "Arbeit"),
    ):
        api.call(
            "PUT",
            "/responsibilities",
            tenant="mittelsachsen",
            headers=ms,
            json={"actor": actor, "topic": topic, "responsibility": f"{actor}:{topic}"},
        )
    book = load_workbook(
        io.BytesIO(
            api.call(
                "GET", "/exports/responsibilities?format=xlsx", tenant="mittelsachsen", headers=ms
            ).data
        )
    )
    assert book.sheetnames == ["Matrix", "Liste"]
    grid = [[c.value for c in row] for row in book["Matrix"].iter_rows()]
    header = grid[0]
    row = next(r for r in grid if r[0] == f"Ämter {tag}")
    assert (
        row[header.index("Wohnen")] == f"Ämter {tag}:Wohnen"
        and row[header.index("Arbeit")] == f"Ämter {tag}:Arbeit"
    )
    assert next(r for r in grid if r[0] == f"Jobcenter {tag}")[header.index("Wohnen")] is None
    flat = api.call(
        "GET",
        "/exports/responsibilities?format=csv&layout=list",
        tenant="mittelsachsen",
        headers=ms,
    )
    assert flat.data.startswith(b"\xef\xbb\xbfAkteur;Thema;Zust")
    assert api.call("GET", "/exports/responsibilities?format=csv").status_code == 404


def test_doctors_and_offers_where_the_network_keeps_them(api, token):
    sk = token("saalekreis", "coordinator")
    tag = unique("praxis")
    doctors = [
        ["Name", "Fachrichtung", "PLZ", "Ort", "Sprachen", "Zuletzt geprüft"],
        [f"Dr. Öztürk {tag}", "Allgemeinmedizin", "06217", "Merseburg", "Türkisch, Deutsch", "03.11.2026"],
        [f"Dr. Ohne {tag}", "Kinderheilkunde", "06217", "Merseburg", "", "2026-11-03"],
    ]  # fmt: skip
    body = api.upload(
        xlsx_bytes(doctors), kind="doctors", tenant="saalekreis", headers=sk
    ).get_json()
    assert [r["verdict"] for r in body["rows"]] == ["new", "error"]
    assert body["rows"][0]["values"]["languages"] == ["tr", "de"]
    assert (
        body["rows"][1]["errors"][0]["message"]
        == "Zeile 3, Spalte Sprachen: ist leer (Pflichtfeld)."
    )
    done = api.call(
        "POST", f"/imports/{body['id']}/apply", tenant="saalekreis", headers=sk, json={}
    ).get_json()
    doctor_id = done["rows"][0]["record"]
    listed = api.call("GET", "/doctors?language=tr", tenant="saalekreis", headers=sk).get_json()
    assert doctor_id in [d["id"] for d in listed]
    sheet = load_workbook(
        io.BytesIO(
            api.call("GET", "/exports/doctors?format=xlsx", tenant="saalekreis", headers=sk).data
        )
    ).active
    assert [c.value for c in sheet[1]][:2] == ["Name", "Fachrichtung"]
    assert (
        api.call("POST", f"/imports/{body['id']}/undo", tenant="saalekreis", headers=sk).status_code
        == 200
    )
    listed = api.call("GET", "/doctors?language=tr", tenant="saalekreis", headers=sk).get_json()
    assert doctor_id not in [d["id"] for d in listed]

    offers = [["Titel", "Art", "Anbieter", "Zielgruppen", "Beschreibung"],
              [f"Deutschkurs A1 {tag}", "Sprachkurs", "VHS Saalekreis", "Frauen, Eltern", "Zeile eins\nZeile zwei"],
              [f"Tanz {tag}", "Ballett", "Verein", "", ""]]  # fmt: skip
    body = api.upload(
        csv_bytes(offers), "o.csv", kind="offers", tenant="saalekreis", headers=sk
    ).get_json()
    assert [r["verdict"] for r in body["rows"]] == ["new", "error"]
    assert body["rows"][1]["errors"][0]["message"].startswith(
        "Zeile 3, Spalte Art: „Ballett“ ist keine bekannte Art"
    )
    api.call("POST", f"/imports/{body['id']}/apply", tenant="saalekreis", headers=sk, json={})
    exported = api.call(
        "GET", "/exports/offers?format=csv", tenant="saalekreis", headers=sk
    ).data.decode("utf-8-sig")
    assert (
        f'Deutschkurs A1 {tag};Sprachkurs;VHS Saalekreis;Frauen, Eltern;;;;"Zeile eins\nZeile zwei"'
        in exported
    )
    # Chemnitz keeps no doctors
    assert api.upload(xlsx_bytes(doctors), kind="doctors").status_code == 422


def test_sorted_lists_in_german_order(api):
    tag = unique("din")
    names = [f"Verein Nummer 100 {tag}", f"Zentrum {tag}", f"Ärztehaus {tag}", f"Verein Nummer 76 {tag}",
             f"Apotheke {tag}", f"Azubi {tag}", f"Straße {tag}", f"Strasse {tag}"]  # fmt: skip
    for name in names:
        assert (
            api.call("POST", "/partners", json={"name": name, "kind": "other"}).status_code == 201
        )
    listed = api.call("GET", f"/partners?q={tag}&page_size=20").get_json()["items"]
    assert [p["name"] for p in listed] == [
        f"Apotheke {tag}", f"Ärztehaus {tag}", f"Azubi {tag}", f"Strasse {tag}", f"Straße {tag}",
        f"Verein Nummer 76 {tag}", f"Verein Nummer 100 {tag}", f"Zentrum {tag}",
    ]  # fmt: skip


def test_body_members_with_their_body_and_role(api, db):
    tag = unique("gremium")
    rows = [
        ["Gremium", "Name", "E-Mail", "Rolle", "Abteilung"],
        ["Vorbereitungsgremium", f"Petra Vorsitz {tag}", f"petra@{tag}.example", "Vorsitz", "Sozialamt"],
        ["netzwerkkonferenz", f"Karl {tag}", f"karl@{tag}.example", "", ""],
        ["Stadtrat", f"Nie {tag}", "", "Mitglied", ""],
        ["Vorbereitungsgremium", f"Ohne {tag}", "", "Boss", ""],
    ]  # fmt: skip
    body = api.upload(xlsx_bytes(rows), kind="body_members").get_json()
    assert [r["verdict"] for r in body["rows"]] == ["new", "new", "error", "error"]
    assert body["rows"][2]["errors"][0]["message"].startswith(
        "Zeile 4, Spalte Gremium: „Stadtrat“ ist kein Gremium"
    )
    assert (
        body["rows"][0]["values"]["role"] == "chair"
        and body["rows"][0]["values"]["body"] == "vorbereitungsgremium"
    )
    done = api.call("POST", f"/imports/{body['id']}/apply", json={}).get_json()
    assert done["counts"]["created"] == 2
    members = api.call("GET", "/bodies/vorbereitungsgremium/members").get_json()
    petra = next(m for m in members if m["name"] == f"Petra Vorsitz {tag}")
    assert petra["role"] == "chair" and petra["department"] == "Sozialamt"
    subject = f"vorbereitungsgremium/{petra['person_id']}"
    assert events(db, "chemnitz.membership.body.member_added", [subject]) == [subject]
    again = api.upload(xlsx_bytes(rows[:2]), kind="body_members").get_json()
    assert again["rows"][0]["verdict"] == "update" and again["rows"][0]["match"]["id"] == subject
    exported = api.call("GET", "/exports/body_members?format=csv").data.decode("utf-8-sig")
    assert (
        f"Vorbereitungsgremium;Petra Vorsitz {tag};petra@{tag}.example;{petra['person_id']};;Sozialamt;Vorsitz"
        in exported
    )
    # the export reads back in: its rows are updates of the members
    back = api.upload(
        api.call("GET", "/exports/body_members?format=xlsx").data, kind="body_members"
    ).get_json()
    assert {r["verdict"] for r in back["rows"] if tag in r["values"]["name"]} == {"update"}
    assert api.call("POST", f"/imports/{body['id']}/undo").status_code == 200
    members = api.call("GET", "/bodies/vorbereitungsgremium/members").get_json()
    assert all(tag not in m["name"] for m in members)
    assert events(db, "chemnitz.membership.body.member_removed", [subject]) == [subject]


def test_working_group_members_and_leaders_joining_the_body(api):
    tag = unique("ag")
    group = api.call("POST", "/working-groups", json={"name": f"AG Sprache {tag}"})
    assert group.status_code == 201, group.get_json()
    gid = group.get_json()["id"]
    rows = [
        ["Arbeitsgruppe", "Name", "Kennung", "Rolle"],
        [f"AG Sprache {tag}", f"Lea Leitung {tag}", f"lea-{tag}", "Leitung"],
        [f"ag sprache {tag}", f"Max {tag}", "", "Mitglied"],
        ["AG Gibt es nicht", f"Nie {tag}", "", ""],
    ]
    body = api.upload(xlsx_bytes(rows), kind="working_group_members").get_json()
    assert [r["verdict"] for r in body["rows"]] == ["new", "new", "error"]
    assert (
        body["rows"][2]["errors"][0]["message"]
        == "Zeile 4, Spalte Arbeitsgruppe: „AG Gibt es nicht“ ist keine Arbeitsgruppe."
    )
    done = api.call("POST", f"/imports/{body['id']}/apply", json={}).get_json()
    assert done["counts"]["created"] == 2
    members = api.call("GET", f"/working-groups/{gid}").get_json()["members"]
    assert {(m["name"], m["role"]) for m in members} == {
        (f"Lea Leitung {tag}", "leader"),
        (f"Max {tag}", "member"),
    }
    # Chemnitz: the leaders form the Vorbereitungsgremium
    body_members = api.call("GET", "/bodies/vorbereitungsgremium/members").get_json()
    assert f"lea-{tag}" in {m["person_id"] for m in body_members}
    assert api.call("POST", f"/imports/{body['id']}/undo").status_code == 200
    assert api.call("GET", f"/working-groups/{gid}").get_json()["members"] == []
    body_members = api.call("GET", "/bodies/vorbereitungsgremium/members").get_json()
    assert f"lea-{tag}" not in {m["person_id"] for m in body_members}


def test_invitees_with_their_answers_as_a_spreadsheet(clients, token, settings):
    from knotenpunkt.shared.links import REPLY_TO_INVITATION, invitation_subject, link_token
    from tests.integration.test_events_invitations import meeting

    c, coord = clients["events"], token("magdeburg", "coordinator")
    eid = meeting(c, coord, unique("Sitzung zum Export"))
    guests = [{"name": "Zweiter Verein e. V.", "email": f"{unique('z')}@verein.example"},
              {"name": "Ärztehaus", "email": f"{unique('a')}@praxis.example"}]  # fmt: skip
    assert (
        c.post(
            f"/api/v1/magdeburg/events/{eid}/invitations", json={"guests": guests}, headers=coord
        ).status_code
        == 201
    )
    tok = link_token(
        settings.link_secret,
        REPLY_TO_INVITATION,
        "magdeburg",
        invitation_subject(eid, guests[1]["email"]),
    )
    c.post(
        f"/api/v1/magdeburg/events/{eid}/reply-link",
        json={"email": guests[1]["email"], "token": tok, "answer": "yes"},
    )
    sheet = c.get(f"/api/v1/magdeburg/events/{eid}/invitations/export?format=xlsx", headers=coord)
    assert sheet.status_code == 200
    grid = [
        [x.value for x in row] for row in load_workbook(io.BytesIO(sheet.data)).active.iter_rows()
    ]
    assert grid[0] == [
        "Name",
        "E-Mail",
        "Eingeladen als",
        "Antwort",
        "Geantwortet am",
        "Erreichbar",
    ]
    named = [r for r in grid[1:] if r[0] in ("Ärztehaus", "Zweiter Verein e. V.")]
    assert [r[0] for r in named] == ["Ärztehaus", "Zweiter Verein e. V."]
    assert named[0][3] == "Zusage" and named[1][3] == "noch keine Antwort"
    as_csv = c.get(f"/api/v1/magdeburg/events/{eid}/invitations/export?format=csv", headers=coord)
    assert as_csv.data.startswith(b"\xef\xbb\xbfName;E-Mail;Eingeladen als;Antwort")
    assert (
        c.get(
            f"/api/v1/magdeburg/events/{eid}/invitations/export",
            headers=token("magdeburg", "member"),
        ).status_code
        == 403
    )
