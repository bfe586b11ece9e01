"""Reading and writing spreadsheets: shared/spreadsheets.py (the files themselves: openpyxl;
LibreOffice's are in tests/integration/test_imports.py)."""

from __future__ import annotations

import io

import hypothesis
import pytest
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from knotenpunkt.shared.errors import RuleViolation, TooLarge
from knotenpunkt.shared.spreadsheets import excel_csv, read_table, xlsx_book

LIMITS = {"max_bytes": 1024 * 1024, "max_rows": 100}


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        "Name;Ort\r\nMüller e.V.;Chemnitz\r\n".encode(),
        b"\xef\xbb\xbf" + "Name;Ort\nMüller e.V.;Chemnitz\n".encode(),
        "Name,Ort\nMüller e.V.,Chemnitz\n".encode(),
        "Name;Ort\r\nMüller e.V.;Chemnitz\r\n".encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "comma", "windows-1252"],
)
def test_csv_encodings_and_separators_are_detected(data):
    table = read_table(data, "a.csv", **LIMITS)
    assert table.header == ["Name", "Ort"] and table.rows == [["Müller e.V.", "Chemnitz"]]


def test_mixed_encodings_are_refused_naming_lines():
    data = "Name\nMüller\n".encode() + "Bäcker\n".encode("cp1252")
    with pytest.raises(RuleViolation, match="Zeile 2 ist UTF-8, Zeile 3 Windows-1252"):
        read_table(data, "a.csv", **LIMITS)


def test_xlsx_cells_become_text_and_numbers_are_marked():
    table = read_table(xlsx([["Name", "PLZ"], ["A", 9111], [None, None], ["B", "09111"]]), **LIMITS)
    assert table.rows == [["A", "9111"], ["B", "09111"]] and table.row_numbers == [2, 4]
    assert table.numeric == {(0, 1)}


@pytest.mark.parametrize(
    "data, rule",
    [
        (b"", "leer"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "keine Tabelle"),
        (xlsx([["Name"], ["A"]])[:300], "beschädigt"),
        (";".join(f"S{i}" for i in range(10_000)).encode() + b"\n", "10000 Spalten"),
        (("Name\n" + "A\n" * 101).encode(), "101 Zeilen"),
    ],
    ids=["empty", "png", "corrupt-xlsx", "10000-columns", "too-many-rows"],
)
def test_bad_files_are_refused_with_a_sentence(data, rule):
    with pytest.raises(RuleViolation, match=rule) as caught:
        read_table(data, "x", **LIMITS)
    assert caught.value.field == "file"


def test_too_many_bytes():
    with pytest.raises(TooLarge, match="höchstens 1 MiB"):
        read_table(b"Name\n" + b"A\n" * 600_000, "x.csv", **LIMITS)


def test_excel_csv_has_bom_semicolons_crlf_and_no_formulas():
    body = excel_csv(["Name", "Themen"], [["=HYPERLINK(1)", ["a", "b"]], ["Ä", None]])
    assert body.startswith(b"\xef\xbb\xbf")
    assert body[3:].decode() == "Name;Themen\r\n'=HYPERLINK(1);a, b\r\nÄ;\r\n"


def test_xlsx_book_writes_values_never_formulas():
    data = xlsx_book([("Partner", ["Name", "Zahl"], [["=1+1", 3], ["@x", None]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["Name", "Zahl"],
        ["'=1+1", 3],
        ["'@x", None],
    ]
    assert ws.title == "Partner" and ws.freeze_panes == "A2"


def test_an_xlsx_as_wide_as_excel_allows_is_refused_before_it_is_read():
    book = Workbook()
    book.active.cell(row=1, column=1, value="Name")
    book.active.cell(row=1, column=10_000, value="weit")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(RuleViolation, match="Spalten; höchstens 200 werden gelesen"):
        read_table(out.getvalue(), "weit.xlsx", **LIMITS)


def test_a_packed_bomb_is_refused_by_its_unpacked_size():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < LIMITS["max_bytes"]
    with pytest.raises(RuleViolation, match="entpackt 30 MiB"):
        read_table(data, "bombe.xlsx", **LIMITS)


@hypothesis.given(
    prefix=st.sampled_from(
        [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"Name;Ort\n"]
    ),
    rest=st.binary(max_size=2000),
)
def test_any_bytes_are_a_table_or_a_sentence(prefix, rest):
    try:
        read_table(prefix + rest, "x", **LIMITS)
    except (RuleViolation, TooLarge) as exc:
        assert exc.detail.endswith(".") and exc.field == "file"


def test_bytes_of_a_real_xlsx_cut_or_changed_are_a_sentence():
    good = xlsx([["Name", "PLZ"], ["A", "09111"]])
    for cut in range(100, len(good), 250):
        for data in (good[:cut], good[:cut] + b"\0" * 50 + good[cut + 50 :]):
            try:
                read_table(data, "x.xlsx", **LIMITS)
            except RuleViolation as exc:
                assert exc.field == "file"
