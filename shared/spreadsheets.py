"""Spreadsheets in and out: XLSX, ODS and CSV as German offices write them.

Reading: XLSX and ODS through calamine (python-calamine; formulas are never evaluated, a
formula cell gives the value its program stored), CSV with its separator (semicolon, comma,
tab) and its encoding (UTF-8 with or without BOM, Windows-1252 as German Excel writes it)
detected, not asked. Every refusal is a RuleViolation (or TooLarge) with a German sentence
a coordinator can act on; nothing here raises anything else for a bad file.

Writing: XLSX through openpyxl and CSV for German Excel (semicolon, CRLF, UTF-8 with BOM),
both with formula starters neutralised (shared.outputs.csv_cell).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from knotenpunkt.shared.errors import RuleViolation, TooLarge
from knotenpunkt.shared.outputs import csv_cell

MAX_COLUMNS = 200
# An XLSX or ODS is a zip: its unpacked size may be this many times the upload's limit.
MAX_UNPACKED_FACTOR = 20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_NON_TEXT = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


@dataclass(frozen=True)
class Table:
    """A sheet's cells as text: the first row (headers) and the rows after it, each as long
    as the header (empty rows dropped); row_numbers: each row's line in the file (1 = header)."""

    format: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    # (row, column) of the cells the program stored as numbers (a postcode 9111 was 09111)
    numeric: set = field(default_factory=set)


def _refuse(detail: str) -> RuleViolation:
    return RuleViolation(detail, field="file")


def detect_format(data: bytes, filename: str = "") -> str:
    """xlsx, ods, xls or csv by the file's first bytes (never by its name alone); raises
    RuleViolation (empty, password-protected, not a spreadsheet)."""
    if not data or not data.strip():
        raise _refuse("Die Datei ist leer.")
    if data.startswith(_OLE):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data:
            raise _refuse(
                "Die Datei ist mit einem Kennwort geschützt. Bitte ohne Kennwort speichern "
                "und erneut hochladen."
            )
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse("Die Datei ist mit einem Kennwort geschützt.")
        return "xls"
    if data.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "mimetype" in names and z.read("mimetype").strip() == _ODS_MIME:
                    return "ods"
                if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                    return "xlsx"
        except Exception as exc:  # BadZipFile, zlib.error, an encrypted or unknown member …
            raise _refuse(
                "Die Datei ist beschädigt (ein unvollständiges ZIP-Archiv); bitte neu speichern."
            ) from exc
        raise _refuse(
            "Die Datei ist ein ZIP-Archiv, aber keine Tabelle (erwartet: XLSX, ODS oder CSV)."
        )
    if _NON_TEXT.search(data[:65536]):
        raise _refuse(
            f"„{filename or 'Die Datei'}“ ist keine Tabelle: erwartet wird XLSX, ODS oder CSV."
        )
    return "csv"


def _unpacked_size_ok(data: bytes, max_bytes: int) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        total = sum(i.file_size for i in z.infolist())
    if total > max_bytes * MAX_UNPACKED_FACTOR:
        raise _refuse(
            f"Die Tabelle ist entpackt {total // (1024 * 1024)} MiB groß; höchstens "
            f"{max_bytes * MAX_UNPACKED_FACTOR // (1024 * 1024)} MiB werden gelesen.",
        )


def cell_text(value) -> str:
    """A cell as text: whole numbers without .0, days as JJJJ-MM-TT, booleans as ja/nein, the
    apostrophe of a neutralised formula ('=…, as exports write it) dropped (never evaluated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    # a cell neutralised on export ('=…) reads back as it was entered
    if text.startswith("'") and text[1:2] and text[1] in "=+-@":
        return text[1:]
    return text


def _grid_from_book(data: bytes) -> list[list]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise _refuse("Die Datei enthält kein Tabellenblatt.")
        sheet = book.get_sheet_by_index(0)
        if sheet.total_width > MAX_COLUMNS:
            raise _too_wide(sheet.total_width)
        return sheet.to_python(skip_empty_area=False)
    except PasswordError as exc:
        raise _refuse("Die Datei ist mit einem Kennwort geschützt.") from exc
    except RuleViolation:
        raise
    except (CalamineError, ValueError, OSError, KeyError) as exc:
        raise _refuse(
            "Die Datei ist beschädigt oder keine lesbare Tabelle; bitte neu speichern."
        ) from exc
    except BaseException as exc:  # a panic in calamine's Rust code is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise _refuse(
            "Die Datei ist beschädigt oder keine lesbare Tabelle; bitte neu speichern."
        ) from exc


def _too_wide(width: int) -> RuleViolation:
    return _refuse(f"Die Tabelle hat {width} Spalten; höchstens {MAX_COLUMNS} werden gelesen.")


def decode_text(data: bytes) -> str:
    """The CSV's text: UTF-8 (a BOM is dropped) or Windows-1252, decided line by line; raises
    RuleViolation when lines of both encodings meet (naming one of each)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf8_line = cp_line = None
    for n, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
            if utf8_line is None and _UTF8_MULTIBYTE.search(line):
                utf8_line = n
        except UnicodeDecodeError:
            if cp_line is None:
                cp_line = n
        if utf8_line and cp_line:
            raise _refuse(
                f"Die Datei mischt Zeichenkodierungen: Zeile {utf8_line} ist UTF-8, Zeile "
                f"{cp_line} Windows-1252. Bitte die Datei einheitlich (am besten als UTF-8) "
                "speichern."
            )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _refuse(
            "Die Datei ist weder UTF-8 noch Windows-1252 kodiert; bitte als CSV (UTF-8) speichern."
        ) from exc


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _grid_from_csv(data: bytes) -> list[list]:
    text = decode_text(data)
    delimiter = _delimiter(text)
    csv.field_size_limit(1024 * 1024)
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(row) > MAX_COLUMNS:
                raise _too_wide(len(row))
            rows.append(row)
        return rows
    except csv.Error as exc:
        raise _refuse(f"Die CSV-Datei ist nicht lesbar: {exc}.") from exc


def read_table(data: bytes, filename: str = "", *, max_bytes: int, max_rows: int) -> Table:
    """The first sheet of an XLSX, ODS (or old XLS) or a CSV as text cells.

    Raises TooLarge (more bytes than max_bytes) and RuleViolation (field file: empty, not a
    spreadsheet, password-protected, corrupt, mixed encodings, more than MAX_COLUMNS columns
    or max_rows rows, no header)."""
    if len(data) > max_bytes:
        raise TooLarge(
            f"Die Datei ist {len(data) / (1024 * 1024):.1f} MiB groß; höchstens "
            f"{max_bytes / (1024 * 1024):.0f} MiB werden angenommen.",
            field="file",
        )
    kind = detect_format(data, filename)
    if kind in ("xlsx", "ods"):
        _unpacked_size_ok(data, max_bytes)
    grid = _grid_from_csv(data) if kind == "csv" else _grid_from_book(data)
    numbered = []
    for n, raw in enumerate(grid, start=1):
        row = [cell_text(v) for v in raw]
        if any(row):
            numbered.append(
                (n, row, [isinstance(v, int | float) and not isinstance(v, bool) for v in raw])
            )
    if not numbered:
        raise _refuse("Die Datei enthält keine Zeilen.")
    (_, header, _), body = numbered[0], numbered[1:]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _refuse("Die erste Zeile enthält keine Spaltenüberschriften.")
    if len(header) > MAX_COLUMNS:
        raise _too_wide(len(header))
    if len(body) > max_rows:
        raise _refuse(
            f"Die Tabelle hat {len(body)} Zeilen; höchstens {max_rows} werden in einem "
            "Import angenommen. Bitte in mehrere Dateien teilen."
        )
    width = len(header)
    rows = [(row + [""] * width)[:width] for _, row, _ in body]
    numeric = {
        (i, j) for i, (_, _, kinds) in enumerate(body) for j, k in enumerate(kinds[:width]) if k
    }
    return Table(kind, header, rows, [n for n, _, _ in body], numeric)


# --- Writing -----------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
# A route answering with a sheet documents both media types (with flask-smorest's doc()).
SHEET_DOC = {
    "responses": {
        "200": {
            "description": "Die Tabelle: XLSX (format=xlsx) oder CSV für Excel (format=csv)",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}} for t in (XLSX_TYPE, CSV_TYPE)
            },
        }
    }
}


def excel_csv(header: list[str], rows) -> bytes:
    """CSV for German Excel: semicolons, CRLF, UTF-8 with BOM, formula starters neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(_out(v)) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _out(value):
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def xlsx_book(sheets: list[tuple[str, list[str], list]]) -> bytes:
    """An XLSX workbook of (title, header, rows) sheets; every cell is a value (text cells
    that would start a formula are neutralised), the header bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    book.remove(book.active)
    for title, header, rows in sheets:
        ws = book.create_sheet(title[:31])
        ws.append([csv_cell(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in rows:
            values = []
            for v in row:
                v = _out(v)
                values.append(csv_cell(v) if isinstance(v, str) else v)
            ws.append(values)
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, min(40, len(h) + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
