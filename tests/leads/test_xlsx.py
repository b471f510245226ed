"""scoring.leads.xlsx: workbooks built in memory with openpyxl, some parts then rewritten
by hand to be as Excel (or a broken writer) saves them."""

import datetime
import io
import re
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from scoring.core.exceptions import InvalidInput, PayloadTooLarge
from scoring.leads import xlsx
from scoring.leads.xlsx import (
    ENCRYPTED_ERROR,
    NO_WORKSHEET_ERROR,
    UNKNOWN_SHEET_ERROR,
    UNSUPPORTED_BINARY_ERROR,
    XLS_ERROR,
    XLSX_UNREADABLE_ERROR,
    binary_error,
    binary_kind,
    is_xlsx,
    xlsx_rows,
)

HEADER = ["name", "role", "company", "industry", "location", "linkedin_bio"]
SHEET = "xl/worksheets/sheet1.xml"


def workbook(*sheets: tuple[str, list[list]], epoch=None) -> bytes:
    """An .xlsx holding these sheets, each a title and its rows, as openpyxl saves it."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if epoch is not None:
        book.epoch = epoch
    for title, rows in sheets:
        worksheet = book.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def one_sheet(rows: list[list]) -> bytes:
    return workbook(("Leads", rows))


def rewrite(data: bytes, part: str, edit: Callable[[str], str] | None) -> bytes:
    """The ZIP with one part edited as text (None: the part left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                if edit is None:
                    continue
                content = edit(content.decode()).encode()
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


_INLINE_CELL = re.compile(
    r'<c r="(\w+)"( s="\d+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S
)


def with_shared_strings(data: bytes) -> bytes:
    """The workbook with its first sheet's text in a shared-string table, as Excel saves
    text (openpyxl writes it inline)."""
    strings: list[str] = []

    def shared(match: re.Match) -> str:
        strings.append(match.group(3))
        return f'<c r="{match.group(1)}"{match.group(2) or ""} t="s"><v>{len(strings) - 1}</v></c>'

    data = rewrite(data, SHEET, lambda text: _INLINE_CELL.sub(shared, text))
    table = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>'
    )
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    data = rewrite(data, "[Content_Types].xml", lambda text: text.replace("</Types>", override))
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", sst)
    return buffer.getvalue()


def read(data: bytes, **kwargs) -> list[list[str]]:
    return list(xlsx_rows(io.BytesIO(data), **kwargs))


def error_of(data: bytes, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        read(data, **kwargs)
    return caught.value.message


# Reading


def test_header_and_leads_with_accents_and_multi_line_notes():
    rows = [
        HEADER,
        [
            "José Müller",
            "Directeur Général",
            "Société Générale",
            "Banque",
            "Paris",
            "Ça va.\nÀ bientôt",
        ],
        # (openpyxl writes a carriage return as it is, which XML reading turns into a line
        # feed; Excel writes it as _x000D_: see the tests of escapes.)
        ["Zoë Ørsted", "CTO", "Ørsted", "Energy", "København", "Line one\nLine two\n\n\tEnd "],
    ]
    assert read(one_sheet(rows)) == rows


def test_numbers_read_as_people_see_them():
    rows = [[12345, 12345.0, 0.5, -3.25, 1 / 3, 0.1 + 0.2, 1e-7, 1e20, -0.0, 0]]
    assert read(one_sheet(rows)) == [
        ["12345", "12345", "0.5", "-3.25", "0.333333333333333", "0.3", "0.0000001",
         "100000000000000000000", "0", "0"]
    ]  # fmt: skip


def test_big_ids_are_never_in_exponent_notation():
    # openpyxl writes 16 significant digits: a 16-digit id is kept as it is. Other writers
    # write an int of any length; Excel keeps 15 digits, as 1.23456789012346E+17.
    data = one_sheet([[1234567890123456, 111, 222]])
    data = rewrite(
        data,
        SHEET,
        lambda text: text.replace("<v>111</v>", "<v>123456789012345678</v>").replace(
            "<v>222</v>", "<v>1.23456789012346E+17</v>"
        ),
    )
    assert read(data) == [["1234567890123456", "123456789012345678", "123456789012346000"]]


def test_dates_times_and_durations_as_iso_text():
    rows = [
        [
            datetime.datetime(2024, 3, 15),
            datetime.datetime(2024, 3, 15, 9, 30),
            datetime.datetime(2024, 3, 15, 9, 30, 15, 500000),
            datetime.date(2023, 12, 31),
            datetime.time(9, 30),
            datetime.timedelta(hours=26, minutes=5, seconds=7),
        ]
    ]
    assert read(one_sheet(rows)) == [
        ["2024-03-15", "2024-03-15 09:30:00", "2024-03-15 09:30:15.500", "2023-12-31",
         "09:30:00", "26:05:07"]
    ]  # fmt: skip


def test_dates_of_the_1904_calendar():
    data = workbook(("Leads", [[datetime.date(2024, 3, 15)]]), epoch=CALENDAR_MAC_1904)
    assert read(data) == [["2024-03-15"]]


def test_empty_cells_booleans_and_text_as_it_is():
    rows = [
        ["a", None, "c", None, None],
        [True, False, "  spaced  ", "00123", ""],
    ]
    assert read(one_sheet(rows)) == [["a", "", "c"], ["TRUE", "FALSE", "  spaced  ", "00123"]]


def test_empty_rows_are_yielded_as_empty_lists_so_rows_keep_their_numbers():
    book = openpyxl.Workbook()
    book.active["B3"] = "first"
    book.active["A5"] = "second"
    book.active["A6"] = None  # a cell without a value: the row is empty
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()) == [[], [], ["", "first"], [], ["second"], []]


def test_a_formula_gives_its_last_computed_value():
    data = one_sheet([["=1+1", 5]])  # openpyxl never computes: no cached value
    assert read(data) == [["", "5"]]
    cached = rewrite(data, SHEET, lambda text: text.replace("<f>1+1</f>", "<f>1+1</f><v>2</v>"))
    assert read(cached) == [["2", "5"]]


def test_error_cells_read_as_excel_codes():
    data = rewrite(
        one_sheet([["x", 111]]),
        SHEET,
        lambda text: text.replace('t="n"><v>111</v>', 't="e"><v>#N/A</v>'),
    )
    assert read(data) == [["x", "#N/A"]]


def test_text_from_a_shared_string_table_with_excel_escapes():
    # Excel writes a carriage return as _x000D_; control characters XML cannot hold are
    # dropped rather than kept (a NUL cannot be stored).
    data = with_shared_strings(
        one_sheet(
            [HEADER, ["Ana Núñez", "CEO\u00a0", "A&B", "_x000D_", "tab_x0009_end", "a_x0000_b"]]
        )
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert 't="s"' in archive.read(SHEET).decode()
    assert read(data) == [HEADER, ["Ana Núñez", "CEO\u00a0", "A&B", "\r", "tab\tend", "ab"]]


def test_inline_escapes_are_decoded_too():
    data = one_sheet([["one_x000D_\ntwo", "_x005F_x000D_", "_xD83D__xDE00_", "_xD83D_"]])
    assert read(data) == [["one\r\ntwo", "_x000D_", "😀", "\ufffd"]]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.characters(min_codepoint=0x20, exclude_characters="_"), min_size=1).filter(
                lambda s: not s.startswith("=")
            ),
            st.integers(min_value=-(10**15), max_value=10**15),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_text_and_ints_read_back_as_they_were_written(cells):
    # Left out of the text: control characters and non-characters (openpyxl writes them
    # raw, where Excel would escape them, and XML cannot hold them), "_" (it could start an
    # escape), a leading "=" (openpyxl writes a formula).
    cells = [c for c in cells if not isinstance(c, str) or c.isprintable()] or ["x"]
    assert read(one_sheet([cells])) == [[str(c) for c in cells]]


def test_a_wrong_dimension_does_not_cut_the_sheet():
    rows = [HEADER, ["a", "b", "c", "d", "e", "f"], ["g"]]
    data = rewrite(
        one_sheet(rows),
        SHEET,
        lambda text: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1"', text),
    )
    assert read(data) == rows


# Sheets


def test_the_first_sheet_by_default_another_by_name():
    data = workbook(("Leads", [["first"]]), ("Archive 2023", [["second"], ["row 2"]]))
    assert read(data) == [["first"]]
    assert read(data, sheet="Archive 2023") == [["second"], ["row 2"]]
    assert read(data, sheet="archive 2023") == [["second"], ["row 2"]]


def test_an_unknown_sheet_name_lists_the_sheets_there_are():
    data = workbook(("Leads", [["first"]]), ("Archive", [["second"]]))
    assert error_of(data, sheet="Prospects") == UNKNOWN_SHEET_ERROR.format(
        sheet="Prospects", sheets='"Leads", "Archive"'
    )


def test_a_workbook_of_charts_only():
    book = openpyxl.Workbook()
    book.active.append([1, 2])
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=1, max_col=2, min_row=1))
    book.create_chartsheet("Chart").add_chart(chart)
    book.remove(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    assert error_of(buffer.getvalue()) == NO_WORKSHEET_ERROR


# Damaged files and other kinds


def test_a_truncated_file_could_not_be_read():
    data = one_sheet([HEADER, ["a"] * 6])
    assert error_of(data[: len(data) // 2]) == XLSX_UNREADABLE_ERROR
    assert error_of(data[:10]) == XLSX_UNREADABLE_ERROR


def test_a_missing_part_could_not_be_read():
    data = one_sheet([HEADER])
    assert error_of(rewrite(data, SHEET, None)) == XLSX_UNREADABLE_ERROR
    assert error_of(rewrite(data, "[Content_Types].xml", None)) == XLSX_UNREADABLE_ERROR
    no_sheets = rewrite(
        data, "xl/workbook.xml", lambda text: re.sub(r"<sheets>.*</sheets>", "<sheets/>", text)
    )
    assert error_of(no_sheets) == XLSX_UNREADABLE_ERROR


def test_corrupt_bytes_inside_the_zip_could_not_be_read():
    data = one_sheet([HEADER] * 50)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
    # Bytes in the middle of the sheet's compressed data: a CRC or inflate error.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    damaged = data[:start] + bytes(40) + data[start + 40 :]
    assert error_of(damaged) == XLSX_UNREADABLE_ERROR


def test_a_sheet_broken_off_midway_yields_its_first_rows_then_fails():
    rows = [[f"lead {n}", n] for n in range(200)]
    data = rewrite(one_sheet(rows), SHEET, lambda text: text[: text.index('<row r="150"') + 20])
    read_rows = []
    with pytest.raises(InvalidInput) as caught:
        for row in xlsx_rows(io.BytesIO(data)):
            read_rows.append(row)
    assert caught.value.message == XLSX_UNREADABLE_ERROR
    assert read_rows == [[f"lead {n}", str(n)] for n in range(149)]


def numbered_row(row_number: int) -> bytes:
    """A sheet of "a" in row 1 and "b" in the row of that number."""
    return rewrite(
        one_sheet([["a"], ["b"]]),
        SHEET,
        lambda text: text.replace('<row r="2"', f'<row r="{row_number}"').replace(
            'r="A2"', f'r="A{row_number}"'
        ),
    )


def test_a_row_number_beyond_excels_limit_is_a_damaged_file(monkeypatch):
    # openpyxl yields an empty row for every row number skipped: a row said to be the
    # two-billionth would take an hour. (A lower limit here keeps the test quick.)
    monkeypatch.setattr(xlsx, "_MAX_SHEET_ROWS", 1000)
    assert read(numbered_row(1000)) == [["a"], *[[]] * 998, ["b"]]
    assert error_of(numbered_row(1001)) == XLSX_UNREADABLE_ERROR
    assert error_of(numbered_row(2_000_000_000)) == XLSX_UNREADABLE_ERROR


def test_a_zip_that_is_no_workbook_is_not_accepted():
    def archive(*names: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name in names:
                z.writestr(name, "<x/>")
        return buffer.getvalue()

    docx = archive("[Content_Types].xml", "word/document.xml")
    numbers = archive("Index/Document.iwa", "Metadata/Properties.plist")
    xlsb = archive("[Content_Types].xml", "xl/workbook.bin", "xl/worksheets/sheet1.bin")
    for data in (docx, numbers, xlsb):
        assert error_of(data) == UNSUPPORTED_BINARY_ERROR
    # A .docx starts like an .xlsx: only its directory tells; a .numbers says it at once.
    assert binary_kind(docx) is None and is_xlsx(docx)
    assert binary_kind(numbers) == xlsx.ZIP and not is_xlsx(numbers)
    assert binary_error(numbers) == UNSUPPORTED_BINARY_ERROR


def test_an_application_error_from_reading_the_file_goes_through():
    class LimitedFile(io.BytesIO):
        def read(self, size=-1):
            raise PayloadTooLarge("too large")

    with pytest.raises(PayloadTooLarge):
        list(xlsx_rows(LimitedFile(one_sheet([["a"]]))))


def test_nothing_is_read_before_the_first_row():
    rows = xlsx_rows(io.BytesIO(b"not a workbook"))
    with pytest.raises(InvalidInput):
        next(rows)


class _Opened:
    """The workbooks xlsx_rows opens, to see that each is closed."""

    def __init__(self, monkeypatch):
        self.books = []
        load = openpyxl.load_workbook

        def recording_load(*args, **kwargs):
            self.books.append(load(*args, **kwargs))
            return self.books[-1]

        monkeypatch.setattr(xlsx.openpyxl, "load_workbook", recording_load)

    def all_closed(self) -> bool:
        return bool(self.books) and all(book._archive.fp is None for book in self.books)


def test_the_workbook_is_closed_at_the_end_on_an_error_and_when_left_early(monkeypatch):
    opened = _Opened(monkeypatch)
    file = io.BytesIO(workbook(("Leads", [["a"], ["b"]]), ("Other", [["c"]])))
    assert list(xlsx_rows(file)) == [["a"], ["b"]]
    assert opened.all_closed() and not file.closed

    with pytest.raises(InvalidInput):
        next(xlsx_rows(file, sheet="Nope"))
    assert len(opened.books) == 2 and opened.all_closed()

    rows = xlsx_rows(file)
    assert next(rows) == ["a"]
    rows.close()
    assert len(opened.books) == 3 and opened.all_closed() and not file.closed


# First bytes


OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


@pytest.mark.parametrize(
    ("head", "kind", "error"),
    [
        (OLE2 + bytes(504), xlsx.XLS, XLS_ERROR),
        (
            OLE2 + bytes(1000) + "EncryptedPackage".encode("utf-16-le"),
            xlsx.ENCRYPTED,
            ENCRYPTED_ERROR,
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", xlsx.PDF, UNSUPPORTED_BINARY_ERROR),
        (b"PK\x05\x06" + bytes(18), xlsx.ZIP, UNSUPPORTED_BINARY_ERROR),
        (b"\x89PNG\r\n\x1a\n\x00\x00", xlsx.IMAGE, UNSUPPORTED_BINARY_ERROR),
        (b"\x1f\x8b\x08\x00", xlsx.ARCHIVE, UNSUPPORTED_BINARY_ERROR),
        (b"name,role,company\n", None, None),
        ("name;rôle\n".encode("utf-16"), None, None),
        (b"", None, None),
    ],
)
def test_binary_kinds_from_the_first_bytes(head, kind, error):
    assert binary_kind(head) == kind
    assert binary_error(head) == error
    assert not is_xlsx(head)


def test_an_xlsx_from_its_first_bytes():
    data = one_sheet([HEADER])
    for head in (data[:512], data[:4]):
        assert is_xlsx(head) and binary_kind(head) is None and binary_error(head) is None


def test_an_ods_from_its_first_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    head = buffer.getvalue()[:512]
    assert binary_kind(head) == xlsx.ZIP and not is_xlsx(head)
