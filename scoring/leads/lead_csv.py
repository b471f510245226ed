"""Reading lead CSV files people actually have, and writing exports Excel can open safely.

Reading accepts UTF-8 (with or without a BOM), UTF-16 with a BOM, and falls back to
cp1252 then latin-1 so "José Müller" from an old Excel survives; the delimiter may be a
comma, a semicolon or a tab. Headers are matched case-insensitively; extra columns are
ignored; blank rows are skipped. Anything else wrong is an `InvalidInput` naming the line.

Everything here works on streams, so a file of a million leads is read in constant memory:
`csv_encoding` reads the file's bytes once, chunk by chunk, and says which codec decodes
it (or why it is not a CSV text file); `pick_delimiter` reads its first lines; and
`iter_lead_values` parses its decoded lines one at a time. `export_chunks` writes an
export as a stream too, a block of rows at a time.
"""

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from operator import itemgetter

from scoring.core.exceptions import InvalidInput
from scoring.leads.header_mapping import (
    ALIASES,
    LEAD_FIELDS,
    LOCATION_PARTS,
    NAME_PARTS,
    ColumnMap,
    column_map,
    normalised,
)
from scoring.leads.models import LEAD_FIELD_MAX_LENGTH

# The seed's six columns: the template's header, and what its export and /results/ show.
SEED_COLUMNS = ("name", "role", "company", "industry", "location", "linkedin_bio")
EXPORT_HEADER = ("Name", "Role", "Company", "Industry", "Location", "Intent", "Score", "Reasoning")

EMPTY_FILE_ERROR = "The uploaded file is empty."
NOT_TEXT_ERROR = "The uploaded file is not a CSV text file."
NO_ROWS_ERROR = "The CSV file has a header row but no leads."
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

# The control characters that count against a text file: below a space, but tab and line
# breaks. In UTF-8, cp1252 and latin-1 each is the one byte of the same value (every byte of
# a UTF-8 multi-byte sequence is 0x80 or above), so they are counted on the bytes.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r")
_CONTROL_CHARS = re.compile("[" + re.escape(_CONTROL_BYTES.decode("ascii")) + "]")
# A UTF-8 character is one byte that is not a continuation byte, plus its continuation bytes.
_UTF8_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))
# The five bytes Python's cp1252 leaves undefined: a file holding one is read as latin-1.
_CP1252_UNDEFINED_BYTES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_BOM_BYTES = 3  # the longest BOM looked at: UTF-8's


def _drain(chunks: Iterator[bytes]) -> None:
    # Read to the end even when the answer is known, so that a size limit the caller
    # enforces while handing out chunks is still checked (413 before any 400).
    for _ in chunks:
        pass


def _utf16_encoding(chunks: Iterator[bytes]) -> str:
    decoder = codecs.getincrementaldecoder("utf-16")()
    chars = controls = 0
    has_nul = False
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            chars += len(text)
            controls += len(_CONTROL_CHARS.findall(text))
            has_nul = has_nul or "\x00" in text
        chars += len(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        _drain(chunks)
        raise InvalidInput(NOT_TEXT_ERROR) from exc
    if has_nul or controls > chars * _MAX_CONTROL_CHAR_RATIO:
        raise InvalidInput(NOT_TEXT_ERROR)
    return "utf-16"


def _8bit_encoding(chunks: Iterator[bytes], *, utf8_bom: bool) -> str:
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = cp1252_ok = True
    has_content = has_nul = False
    size = controls = utf8_chars = 0
    for chunk in chunks:
        size += len(chunk)
        has_content = has_content or bool(chunk.strip())
        has_nul = has_nul or b"\x00" in chunk
        controls += len(chunk) - len(chunk.translate(None, _CONTROL_BYTES))
        ascii_chunk = chunk.isascii()
        if utf8_ok:
            if ascii_chunk:
                utf8_chars += len(chunk)
            else:
                utf8_chars += len(chunk.translate(None, _UTF8_CONTINUATION_BYTES))
            # An ASCII chunk is valid UTF-8 unless a multi-byte character is still open.
            if not ascii_chunk or utf8.getstate()[0]:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
        if cp1252_ok and not ascii_chunk:
            cp1252_ok = not any(byte in chunk for byte in _CP1252_UNDEFINED_BYTES)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if not has_content:
        raise InvalidInput(EMPTY_FILE_ERROR)
    if utf8_ok:
        # "utf-8-sig" drops the BOM, one character.
        encoding, chars = "utf-8-sig", utf8_chars - (1 if utf8_bom else 0)
    else:
        encoding, chars = ("cp1252" if cp1252_ok else "latin-1"), size
    # NUL never belongs in text (and PostgreSQL refuses it); many other control characters
    # mean binary data read in some 8-bit encoding.
    if has_nul or controls > chars * _MAX_CONTROL_CHAR_RATIO:
        raise InvalidInput(NOT_TEXT_ERROR)
    return encoding


def csv_encoding(chunks: Iterable[bytes]) -> str:
    """The codec that decodes a CSV file given as chunks of its bytes, read once in order:
    "utf-16" after a UTF-16 BOM, else "utf-8-sig" when the whole file is UTF-8, else
    "cp1252", else "latin-1" (every byte is valid latin-1). Raises `InvalidInput` for an
    empty file or one that is not text (a NUL, undecodable UTF-16, too many control
    characters). Only the counts are kept, never the file."""
    chunks = iter(chunks)
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= _BOM_BYTES:
            break
    rest = itertools.chain([head], chunks)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16_encoding(rest)
    return _8bit_encoding(rest, utf8_bom=head.startswith(codecs.BOM_UTF8))


_KNOWN_HEADERS = frozenset(
    alias
    for aliases in (*ALIASES.values(), *NAME_PARTS.values(), *LOCATION_PARTS.values())
    for alias in aliases
)


def _pick_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most columns a lead field takes."""

    def hits(delimiter):
        cells = {normalised(c) for c in header_line.split(delimiter)}
        return len(cells & _KNOWN_HEADERS)

    return max(_DELIMITERS, key=hits)


def pick_delimiter(lines: Iterable[str]) -> str:
    """The delimiter of a CSV file, from its first line with something else than
    delimiters and spaces; reads only as far as that line."""
    for line in lines:
        # str.splitlines() also splits on the rarer line boundaries (\v, \f, \x1c, U+2028…)
        for part in line.splitlines():
            if part.strip(";,\t \r\n"):
                return _pick_delimiter(part)
    return _pick_delimiter("")


def _is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


_BIO = LEAD_FIELDS.index("linkedin_bio")
_URL = LEAD_FIELDS.index("linkedin_url")


def linkedin_url_key(url: str) -> str:
    """A profile URL as it is stored and compared: lower case, no trailing slash or query."""
    return url.split("?", 1)[0].rstrip("/").lower()


_BOUNDED = tuple(i for i, name in enumerate(LEAD_FIELDS) if i != _BIO)  # only the bio is not


def _record_reader(columns: ColumnMap, *, width: int):
    """A function from a row (its cells, `width` of them) to the lead's field values and its
    extra columns. Built once per file: at a million rows, the per-row work is what counts.
    A field no column holds reads cell `width`, which the caller appends empty to each row,
    so one itemgetter takes every single-column field at once."""
    places = [columns.positions[name] for name in LEAD_FIELDS]
    cells_of = itemgetter(*[p[0] if len(p) == 1 else width for p in places])
    joined = [(i, p, columns.joiners[LEAD_FIELDS[i]]) for i, p in enumerate(places) if len(p) > 1]
    extra_columns = columns.extra
    strip = str.strip

    def read(row: list[str]) -> tuple[tuple[str, ...], dict | None]:
        values = tuple(map(strip, cells_of(row)))
        if joined or values[_URL]:
            parts = list(values)
            for slot, places_, joiner in joined:
                parts[slot] = joiner.join(part for p in places_ if (part := strip(row[p])))
            parts[_URL] = linkedin_url_key(parts[_URL])
            values = tuple(parts)
        if not extra_columns:
            return values, None
        extra = {header: value for p, header in extra_columns if (value := strip(row[p]))}
        return values, extra or None

    return read


def _too_long_field(values: tuple[str, ...]) -> str | None:
    return next((LEAD_FIELDS[i] for i in _BOUNDED if len(values[i]) > LEAD_FIELD_MAX_LENGTH), None)


def lead_records(
    rows: Iterable[tuple[int, list[str]]], *, mapping: dict | None = None
) -> Iterator[tuple[tuple[str, ...], dict | None]]:
    """Yield the LEAD_FIELDS' values (stripped) and the extra columns of each row with any
    of them; `rows` are (line or row number, cells), the header first. InvalidInput names
    the line of the first bad row."""
    rows = iter(rows)
    header = next((row for _, row in rows if not _is_blank(row)), None)
    if header is None:
        raise InvalidInput(EMPTY_FILE_ERROR)
    columns = column_map(header, mapping)
    width = len(header)
    read, limit, padding = _record_reader(columns, width=width), LEAD_FIELD_MAX_LENGTH, [""]
    yielded = False
    for line, row in rows:
        if len(row) != width:
            # Trailing empty cells (a stray delimiter at the end of a line) are harmless.
            if len(row) > width:
                if not _is_blank(row[width:]):
                    raise InvalidInput(
                        TOO_MANY_CELLS_ERROR.format(line=line, cells=len(row), columns=width)
                    )
                del row[width:]
            else:  # missing trailing cells are empty
                row += [""] * (width - len(row))
        row += padding  # cell `width`: where a field no column holds is read
        values, extra = read(row)
        if max(map(len, values)) > limit and (column := _too_long_field(values)):
            raise InvalidInput(FIELD_TOO_LONG_ERROR.format(line=line, column=column, limit=limit))
        # A row with none of the lead's fields (blank, or only extra columns) is skipped.
        if any(values):
            yield values, extra
            yielded = True
    if not yielded:
        raise InvalidInput(NO_ROWS_ERROR)


def header_columns(rows: Iterable[list[str]], *, mapping: dict | None = None) -> ColumnMap:
    """Where each lead field is in a file of these rows (a CSV reader's, or an .xlsx
    sheet's), read from its header: the first row with anything in it. Reads no further."""
    header = next((row for row in rows if not _is_blank(row)), None)
    if header is None:
        raise InvalidInput(EMPTY_FILE_ERROR)
    return column_map(header, mapping)


class _CsvRows:
    """Each row of the reader with the line it starts on (a quoted cell may span lines);
    `row_start` is also where a row that fails to parse began."""

    def __init__(self, reader):
        self._reader, self.row_start = reader, 1

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for row in self._reader:
            yield self.row_start, row
            self.row_start = self._reader.line_num + 1


def iter_lead_values(
    lines: Iterable[str], *, delimiter: str, mapping: dict | None = None
) -> Iterator[tuple[tuple[str, ...], dict | None]]:
    """`lead_records` of a CSV file: `lines` are the decoded file's lines with their line
    endings (as a file opened with newline="" gives them)."""
    rows = _CsvRows(csv.reader(lines, delimiter=delimiter, strict=True))
    try:
        yield from lead_records(rows, mapping=mapping)
    except csv.Error as exc:
        detail = UNCLOSED_QUOTE_DETAIL if "unexpected end of data" in str(exc) else exc
        raise InvalidInput(MALFORMED_ERROR.format(line=rows.row_start, detail=detail)) from exc


# OWASP CSV injection: a spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Rows per block of a streamed export.
EXPORT_CHUNK_ROWS = 1000


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _safe_cells(row: Iterable) -> list:
    """spreadsheet_safe of each cell, inlined for the common cells: a string, None and a
    non-negative int (which csv.writer writes as "" and str(n) itself)."""
    return [
        ("'" + cell if cell.startswith(_FORMULA_PREFIXES) else cell)
        if cell.__class__ is str
        else cell
        if cell is None or (cell.__class__ is int and cell >= 0)
        else spreadsheet_safe(cell)
        for cell in row
    ]


# A cell that starts like a formula, as written CSV shows it: the character right after a
# comma or a line break, or after the quote opening a quoted cell. (Also a comma then "-"
# inside a quoted cell, which only costs that block a second writing.) The character comes
# first in the pattern: the regex engine looks for it alone, three times faster. A "\r" only
# counts in a quoted cell (the writer quotes every cell holding one): unquoted, after a comma,
# it is the line end after an empty last cell.
_FORMULA_CELL = re.compile(r'[=+\-@\t\r](?:(?<=[,\n][=+\-@\t])|(?<=[,\n]".))')


def _has_formula_cell(text: str) -> bool:
    return bool(_FORMULA_CELL.search(text) or _FORMULA_CELL.search("\n" + text[:2]))


def export_chunks(
    rows: Iterable[Iterable],
    header: Iterable[str] = EXPORT_HEADER,
    *,
    rows_per_chunk: int = EXPORT_CHUNK_ROWS,
) -> Iterator[str]:
    """A CSV export, every cell spreadsheet-safe, as the header then blocks of
    rows_per_chunk lines: what a streamed response sends, one write per block rather than
    per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    rows = iter(rows)
    # Making each cell safe costs as much as writing it. Most blocks hold no cell to make
    # safe, so a block is written as it is and searched once; when it holds one, it is
    # written again cell by cell made safe, and so is every block after it (such cells come
    # in columns, as in /api/scores/export/'s factors).
    search = True
    while batch := list(itertools.islice(rows, rows_per_chunk)):
        buffer.seek(0)
        buffer.truncate()
        if search:
            writer.writerows(batch)
            if not _has_formula_cell(buffer.getvalue()):
                yield buffer.getvalue()
                continue
            search = False
            buffer.seek(0)
            buffer.truncate()
        writer.writerows(map(_safe_cells, batch))
        yield buffer.getvalue()
