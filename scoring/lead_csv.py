"""Reading lead CSV files people actually have, and writing exports Excel can open safely.

Reading accepts UTF-8 (with or without a BOM), UTF-16 with a BOM, and falls back to
cp1252 then latin-1 so "José Müller" from an old Excel survives; the delimiter may be a
comma, a semicolon or a tab. Headers are matched case-insensitively; extra columns are
ignored; blank rows are skipped. Anything else wrong is an `InvalidInput` naming the line.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator

from scoring.exceptions import InvalidInput
from scoring.models import LEAD_FIELD_MAX_LENGTH

REQUIRED_COLUMNS = ("name", "role", "company", "industry", "location", "linkedin_bio")
UNBOUNDED_COLUMNS = frozenset({"linkedin_bio"})
EXPORT_HEADER = ("Name", "Role", "Company", "Industry", "Location", "Intent", "Score", "Reasoning")

EMPTY_FILE_ERROR = "The uploaded file is empty."
NOT_TEXT_ERROR = "The uploaded file is not a CSV text file."
NO_ROWS_ERROR = "The CSV file has a header row but no leads."
MISSING_COLUMNS_ERROR = "Missing required columns: {missing}"
DUPLICATE_COLUMNS_ERROR = "Duplicate columns in the header: {duplicates}"
TOO_MANY_CELLS_ERROR = "Line {line}: {cells} cells but the header has {columns} columns."
FIELD_TOO_LONG_ERROR = "Line {line}: '{column}' is longer than {limit} characters."
MALFORMED_ERROR = "Line {line}: malformed CSV ({detail})."
UNCLOSED_QUOTE_DETAIL = "a quoted cell is never closed"

_DELIMITERS = (",", ";", "\t")
# Share of control characters (other than tab and line breaks) above which a file is
# taken for binary data rather than text in some 8-bit encoding.
_MAX_CONTROL_CHAR_RATIO = 0.01
# A bio may be long, but a single cell this large is a broken file, not a lead.
csv.field_size_limit(10 * 1024 * 1024)


def decode_csv_bytes(data: bytes) -> str:
    if not data.strip():
        raise InvalidInput(EMPTY_FILE_ERROR)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInput(NOT_TEXT_ERROR) from exc
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            text = data.decode("latin-1")  # every byte is valid latin-1
    # NUL never belongs in text (and PostgreSQL refuses it); many other control characters
    # mean binary data read in some 8-bit encoding.
    control_chars = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    if "\x00" in text or control_chars > len(text) * _MAX_CONTROL_CHAR_RATIO:
        raise InvalidInput(NOT_TEXT_ERROR)
    return text


def _pick_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most required columns."""

    def hits(delimiter):
        cells = {c.strip().lower() for c in header_line.split(delimiter)}
        return len(cells.intersection(REQUIRED_COLUMNS))

    return max(_DELIMITERS, key=hits)


def _column_positions(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    duplicates = sorted({n for n in names if n in REQUIRED_COLUMNS and names.count(n) > 1})
    if duplicates:
        raise InvalidInput(DUPLICATE_COLUMNS_ERROR.format(duplicates=duplicates))
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise InvalidInput(MISSING_COLUMNS_ERROR.format(missing=missing))
    return {column: names.index(column) for column in REQUIRED_COLUMNS}


def _is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _lead_from_row(row: list[str], *, width: int, positions: dict[str, int], line: int) -> dict:
    # Trailing empty cells (a stray delimiter at the end of a line) are harmless.
    if len(row) > width and not _is_blank(row[width:]):
        raise InvalidInput(TOO_MANY_CELLS_ERROR.format(line=line, cells=len(row), columns=width))
    lead = {}
    for column, position in positions.items():
        value = row[position].strip() if position < len(row) else ""
        if column not in UNBOUNDED_COLUMNS and len(value) > LEAD_FIELD_MAX_LENGTH:
            raise InvalidInput(
                FIELD_TOO_LONG_ERROR.format(line=line, column=column, limit=LEAD_FIELD_MAX_LENGTH)
            )
        lead[column] = value
    return lead


def read_lead_rows(text: str) -> Iterator[dict[str, str]]:
    """Yield one dict of the required columns per non-blank row; raise on the first bad one."""
    first_line = next((line for line in text.splitlines() if line.strip(";,\t \r\n")), "")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_pick_delimiter(first_line), strict=True
    )
    row_start = 1  # where the row being read begins: a quoted cell may span lines
    try:
        header = next((row for row in reader if not _is_blank(row)), None)
        if header is None:
            raise InvalidInput(EMPTY_FILE_ERROR)
        positions = _column_positions(header)
        yielded = False
        row_start = reader.line_num + 1
        for row in reader:
            lead = _lead_from_row(row, width=len(header), positions=positions, line=row_start)
            # A row with none of the lead's fields (blank, or only extra columns) is skipped.
            if any(lead.values()):
                yield lead
                yielded = True
            row_start = reader.line_num + 1
    except csv.Error as exc:
        detail = UNCLOSED_QUOTE_DETAIL if "unexpected end of data" in str(exc) else exc
        raise InvalidInput(MALFORMED_ERROR.format(line=row_start, detail=detail)) from exc
    if not yielded:
        raise InvalidInput(NO_ROWS_ERROR)


# OWASP CSV injection: a spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


class _LineBuffer:
    """A file-like sink for csv.writer that hands back each written line."""

    def write(self, line: str) -> str:
        return line


def export_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """The export CSV, header first, one line at a time, every cell spreadsheet-safe."""
    writer = csv.writer(_LineBuffer())
    yield writer.writerow(EXPORT_HEADER)
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])
