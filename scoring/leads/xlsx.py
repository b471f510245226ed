"""Reading lead files saved from Excel (.xlsx) as rows of text, and telling apart the other
binary files people upload instead of a CSV.

`xlsx_rows` streams one worksheet of an .xlsx (also .xlsm, .xltx) as the same raw rows the
CSV side gives: a list of strings per sheet row, the header row first, for the header
mapper to turn into lead fields. Cells read as Excel shows them: numbers without a spurious
".0" or exponent, dates as ISO dates, booleans as TRUE/FALSE. A formula gives its last
computed value (a file saved by a program that never computed it gives "").

`is_xlsx` and `binary_kind` look at a file's first bytes only, so the upload can pick the
reader, or refuse an .xls, a PDF or another kind of archive with a message saying what is
accepted (`binary_error`), before anything else is read.

Memory: openpyxl's read-only mode parses the sheet as a stream, one row at a time; it does
keep the workbook's shared-string table (every distinct text of the workbook, as Excel
saves them) in memory, as any .xlsx reader must to resolve a cell.
"""

import datetime
import math
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

import openpyxl

from scoring.core.exceptions import ApplicationError, InvalidInput

XLS_ERROR = (
    "An .xls file (Excel 97–2003) cannot be read: save it as .xlsx or CSV (UTF-8) and upload that."
)
ENCRYPTED_ERROR = (
    "This Excel file is protected by a password and cannot be read: save a copy without the "
    "password, or as CSV (UTF-8), and upload that."
)
UNSUPPORTED_BINARY_ERROR = (
    "This file is not a CSV or .xlsx file: upload a CSV (comma, semicolon or tab separated) "
    "or an Excel .xlsx file."
)
XLSX_UNREADABLE_ERROR = (
    "The file could not be read as .xlsx: it is damaged or incomplete. Open it in Excel, "
    "save it again as .xlsx or CSV (UTF-8) and upload that."
)
UNKNOWN_SHEET_ERROR = 'The workbook has no sheet named "{sheet}"; its sheets are: {sheets}.'
NO_WORKSHEET_ERROR = "The workbook has only charts, no worksheet to read leads from."

# The kinds `binary_kind` names.
XLS, ENCRYPTED, PDF, ZIP, IMAGE, ARCHIVE = "xls", "encrypted", "pdf", "zip", "image", "archive"

_ZIP_MAGIC = b"PK\x03\x04"  # a ZIP's first local file header: every .xlsx starts so
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Compound File: .xls, .doc, .msg…
# A password-protected .xlsx is not a ZIP but a Compound File holding the encrypted ZIP in a
# stream of this name; the directory naming it is near the start of all but huge files.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_MAGIC_KINDS = (
    (b"%PDF-", PDF),
    (b"PK\x05\x06", ZIP),  # an empty ZIP
    (b"PK\x07\x08", ZIP),  # a spanned ZIP
    (b"\x89PNG\r\n\x1a\n", IMAGE),
    (b"\xff\xd8\xff", IMAGE),  # JPEG
    (b"GIF87a", IMAGE),
    (b"GIF89a", IMAGE),
    (b"\x1f\x8b", ARCHIVE),  # gzip
    (b"7z\xbc\xaf\x27\x1c", ARCHIVE),
    (b"Rar!\x1a\x07", ARCHIVE),
)
# First entries of ZIPs that are surely no workbook: Word, PowerPoint and Visio files, an
# OpenDocument file (.ods too: a "mimetype" entry first), Apple's .numbers/.pages/.key, a
# Java archive. Any other ZIP may be an .xlsx: writers order the parts as they like, so only
# `xlsx_rows`, which reads the ZIP's directory, says for sure.
_NOT_WORKBOOK_ENTRIES = ("word/", "ppt/", "visio/", "mimetype", "Index/", "Metadata/", "META-INF/")
_ZIP_LOCAL_HEADER_BYTES = 30

# Excel's limit: a sheet "row" beyond it is a damaged or crafted file. openpyxl yields an
# empty row for each row number skipped, so without this a tiny file saying r="1000000000"
# would keep the reader busy for an hour.
_MAX_SHEET_ROWS = 1_048_576
# Excel shows (and keeps) 15 significant digits of a number.
_EXCEL_DIGITS = 15
# Excel writes characters XML cannot hold (and a carriage return) as _xHHHH_.
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _first_zip_entry(head: bytes) -> str | None:
    if len(head) < _ZIP_LOCAL_HEADER_BYTES:
        return None
    name_length = int.from_bytes(head[26:28], "little")
    name = head[_ZIP_LOCAL_HEADER_BYTES : _ZIP_LOCAL_HEADER_BYTES + name_length]
    return name.decode("cp437") if len(name) == name_length else None


def binary_kind(head: bytes) -> str | None:
    """The kind of binary file that is no CSV and no .xlsx, from its first bytes: XLS
    (a Compound File: Excel 97–2003 and other old Office files), ENCRYPTED (an .xlsx with a
    password), PDF, ZIP (an archive that is not a workbook: .docx, .ods, .numbers, an empty
    ZIP), IMAGE (PNG, JPEG, GIF) or ARCHIVE (gzip, 7z, RAR); None for anything else (a
    text file, or a ZIP that may be an .xlsx). Pass as many first bytes as are at hand: 8
    tell the kind, a few hundred name a ZIP's first entry, and a password is recognised
    when the Compound File's directory is in them (the first 64 KiB nearly always)."""
    if head.startswith(_OLE2_MAGIC):
        return ENCRYPTED if _ENCRYPTED_STREAM in head else XLS
    if head.startswith(_ZIP_MAGIC):
        entry = _first_zip_entry(head)
        if entry is not None and entry.startswith(_NOT_WORKBOOK_ENTRIES):
            return ZIP
        return None
    return next((kind for magic, kind in _MAGIC_KINDS if head.startswith(magic)), None)


def is_xlsx(head: bytes) -> bool:
    """Whether a file starting with these bytes is to be read as an .xlsx: a ZIP (every
    .xlsx is one) that `binary_kind` does not take for another kind of archive. Never
    both with `binary_kind`: a file is refused, read as an .xlsx or read as a CSV."""
    return head.startswith(_ZIP_MAGIC) and binary_kind(head) is None


def binary_error(head: bytes) -> str | None:
    """The message to refuse a file starting with these bytes with (an `InvalidInput`,
    400), or None when it may be a CSV or an .xlsx."""
    kind = binary_kind(head)
    if kind is None:
        return None
    return {XLS: XLS_ERROR, ENCRYPTED: ENCRYPTED_ERROR}.get(kind, UNSUPPORTED_BINARY_ERROR)


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 10**_EXCEL_DIGITS:
        return str(int(value))  # 12345.0 -> "12345" (and -0.0 -> "0")
    if not math.isfinite(value):
        return str(value)
    # Rounded as Excel shows it (0.1 + 0.2 is 0.3 there), never in exponent notation: an
    # id typed in Excel is stored as 1.23456789012346E+17 and shows as 123456789012346000.
    text = f"{value:.{_EXCEL_DIGITS}g}"
    return format(Decimal(text), "f") if "e" in text else text


def _timespec(value: datetime.time | datetime.datetime) -> str:
    # openpyxl rounds Excel's times to the millisecond; an ISO date cell may hold more.
    if not value.microsecond:
        return "seconds"
    return "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"


def _unescaped_char(match: re.Match) -> str:
    char = chr(int(match.group(1), 16))
    # Other control characters mean nothing in a lead, and a NUL cannot be stored.
    return char if char >= " " or char in "\t\n\r" else ""


def _unescape(text: str) -> str:
    # Excel writes a literal "_x000D_" as "_x005F_x000D_". In a cell's own text that reads
    # back right here; openpyxl already drops every "x005F_" from the shared-string table,
    # so such a literal there reads as a carriage return (no lead holds one).
    text = _ESCAPED_CHAR.sub(_unescaped_char, text)
    if any("\ud800" <= char <= "\udfff" for char in text):
        # Escaped UTF-16 halves: pairs joined, a lone one replaced (it cannot be stored).
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _cell_text(value) -> str:
    """A cell's value, as it reads in Excel, for any value that is not a plain string."""
    if value is None:
        return ""
    if value.__class__ is str:
        return _unescape(value)
    if value is True or value is False:  # before int: a bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)  # an id of 18 digits stays exact
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None and value.time() == datetime.time():
            return value.date().isoformat()  # a date cell: its time is midnight
        return value.isoformat(sep=" ", timespec=_timespec(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec=_timespec(value))
    if isinstance(value, datetime.timedelta):  # a duration cell: [h]:mm:ss, as Excel shows it
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def _row_texts(values: tuple) -> list[str]:
    # Most cells are text that needs nothing done: the test is inlined for them.
    row = [
        value if value.__class__ is str and "_x" not in value else _cell_text(value)
        for value in values
    ]
    while row and not row[-1]:
        row.pop()
    return row


def _is_workbook_zip(file: IO[bytes]) -> bool:
    """Whether the ZIP has an Excel workbook's part, from its directory alone: False for a
    .docx or .numbers, and for an .xlsb (binary parts openpyxl cannot read). Raises
    zipfile.BadZipFile when it is no readable ZIP."""
    with zipfile.ZipFile(file) as archive:
        names = {name.lower() for name in archive.namelist()}
    if "xl/workbook.bin" in names:
        return False
    return any(name.startswith("xl/") for name in names)


def _worksheet(workbook, sheet: str | None):
    worksheets = workbook.worksheets  # not chartsheets: they hold no cells
    if not worksheets:
        # openpyxl leaves out a sheet whose part is missing (as Excel's repair drops it);
        # Excel never saves a workbook without a sheet, so none at all is a damaged file.
        raise InvalidInput(NO_WORKSHEET_ERROR if workbook.chartsheets else XLSX_UNREADABLE_ERROR)
    if sheet is None:
        return worksheets[0]
    # Excel's sheet names are unique ignoring case, so a name typed in another case is
    # still the one sheet meant.
    for matches in (lambda title: title == sheet, lambda title: title.lower() == sheet.lower()):
        found = next((ws for ws in worksheets if matches(ws.title)), None)
        if found is not None:
            return found
    sheets = ", ".join(f'"{ws.title}"' for ws in worksheets)
    raise InvalidInput(UNKNOWN_SHEET_ERROR.format(sheet=sheet, sheets=sheets))


def xlsx_rows(file: IO[bytes], *, sheet: str | None = None) -> Iterator[list[str]]:
    """Yield each row of one worksheet of the .xlsx in `file` (binary, seekable; left open)
    as its cells' text: the first worksheet, or the one named `sheet` (case aside).

    The n-th row yielded is the sheet's row n, so a message can name the row as Excel
    does: an empty row is yielded as [], and trailing empty cells are trimmed from every
    row. Cells: None -> ""; an int as it is; a float as Excel shows it (12345.0 -> "12345",
    0.5 -> "0.5", at most 15 significant digits, never an exponent); a date as
    "2024-03-15", a date and time as "2024-03-15 09:30:00", a time as "09:30:00", a duration
    as "26:00:00"; a boolean as "TRUE"/"FALSE"; text as it is, line breaks kept (Excel's
    _xHHHH_ escapes decoded, control characters other than tab and line breaks dropped); an
    error cell as Excel's code ("#N/A").

    Lazy: nothing is read before the first row is asked for, and errors come from next():
    `InvalidInput` with UNSUPPORTED_BINARY_ERROR for a ZIP that is no workbook,
    XLSX_UNREADABLE_ERROR for a damaged one (also when it breaks off midway: rows already
    yielded stand), UNKNOWN_SHEET_ERROR naming the sheets there are, NO_WORKSHEET_ERROR
    for a workbook of chart sheets only.
    An `ApplicationError` that reading `file` raises (a size limit) goes through as it is.
    The workbook is closed when the rows run out, on an error, and when the generator is
    closed before."""
    workbook = rows = None
    try:
        try:
            if not _is_workbook_zip(file):
                raise InvalidInput(UNSUPPORTED_BINARY_ERROR)
            # keep_links=False: links to other workbooks are not needed to read the values.
            workbook = openpyxl.load_workbook(
                file, read_only=True, data_only=True, keep_links=False
            )
            worksheet = _worksheet(workbook, sheet)
            # The <dimension> a file declares is often wrong (some writers put "A1" whatever
            # the sheet holds), and openpyxl would cut every row and the sheet to it.
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(values_only=True)
        except (ApplicationError, MemoryError):
            raise
        except Exception as exc:
            # openpyxl reports a damaged part with whatever its parsers hit (BadZipFile,
            # KeyError for a missing part, OSError, ParseError, ValueError, TypeError…).
            raise InvalidInput(XLSX_UNREADABLE_ERROR) from exc
        for position in range(1, _MAX_SHEET_ROWS + 2):
            # Only reading is guarded: an error turning values into text is a bug here,
            # not a damaged file, and must not be reported as one.
            try:
                values = next(rows)
            except StopIteration:
                return
            except (ApplicationError, MemoryError):
                raise
            except Exception as exc:
                raise InvalidInput(XLSX_UNREADABLE_ERROR) from exc
            if position > _MAX_SHEET_ROWS:
                raise InvalidInput(XLSX_UNREADABLE_ERROR)
            yield _row_texts(values) if values else []
    finally:
        if rows is not None:
            rows.close()  # the sheet's part, opened in the archive
        if workbook is not None:
            workbook.close()  # the archive (not `file`, which openpyxl did not open)
