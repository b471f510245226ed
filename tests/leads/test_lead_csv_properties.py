"""Property tests for the lead CSV reader and the upload → export round trip.

Two promises are checked on generated input rather than hand-picked cases:
- whatever bytes arrive, the reader yields leads or raises `InvalidInput`, and the upload
  endpoint answers 201 or a JSON 4xx, never a 5xx, storing nothing when it refuses;
- every valid lead that goes in through POST /leads/upload/ comes back out of GET /csv/
  unchanged (but for the spreadsheet-safety quote), in upload order.

Hypothesis runs derandomized and without its example database, so every run (local or CI)
tries the same inputs. The database is not rolled back between the examples of one test,
so each HTTP example counts deltas and removes what it created.
"""

import codecs
import csv
import io

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.core.exceptions import InvalidInput
from scoring.leads.lead_csv import (
    EXPORT_HEADER,
    SEED_COLUMNS,
    csv_encoding,
    iter_lead_values,
    pick_delimiter,
)
from scoring.leads.models import LEAD_FIELD_MAX_LENGTH, Lead, LeadUpload
from tests.factories import created, csv_upload

UPLOAD_URL = "/leads/upload/"
CSV_URL = "/csv/"
EXPORT_COLUMNS = ("name", "role", "company", "industry", "location")
# What the export must prefix with "'" (OWASP CSV injection); the reader strips leading
# whitespace, so of the tab and carriage return only the four printable ones can survive.
FORMULA_STARTS = ("=", "+", "-", "@")

PURE = settings(max_examples=800, deadline=None, derandomize=True, database=None)
HTTP = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    # The db fixtures are function-scoped: every example shares one test transaction.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies: arbitrary and CSV-shaped bytes -----------------------------------------------

CSV_SPECIALS = list(",;\t|\"'\r\n =+-@\ufeff\u2028")
CONTROL_CHARS = list("\x00\x01\x1a\x1b\x7f\x85")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "mac_roman", "shift_jis")
ODD_ENCODINGS = ("utf-16-le", "utf-16-be", "utf-32", "koi8-r", "cp1251", "gb18030")
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b"")

text_chars = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
    st.sampled_from(CSV_SPECIALS),
)
any_char = st.one_of(text_chars, st.sampled_from(CONTROL_CHARS), st.characters(codec="utf-8"))
# Mostly text a person might type; now and then a control character, NUL included.
cells = st.one_of(*[st.text(text_chars, max_size=12)] * 6, st.text(any_char, max_size=2))
header_cells = st.one_of(
    st.sampled_from(("email", "Phone", "", " ", "Notes", '"role"', "name_", "bio")), cells
)


@st.composite
def header_rows(draw):
    """A header: the required columns in any order and case, maybe one missing or doubled,
    maybe with extra or junk columns."""
    columns = list(draw(st.permutations(SEED_COLUMNS)))
    columns += draw(st.lists(header_cells, max_size=3))
    columns = list(draw(st.permutations(columns)))
    if draw(st.integers(0, 7)) == 0:
        del columns[draw(st.integers(0, len(columns) - 1))]
    if draw(st.integers(0, 7)) == 0:
        columns.append(draw(st.sampled_from(SEED_COLUMNS)))
    spell = st.sampled_from((str, str.upper, str.title, lambda c: f" {c}\t"))
    return [draw(spell)(column) for column in columns]


@st.composite
def csvish_texts(draw):
    """Text that looks like a lead CSV: a header then rows of odd cells, joined by hand
    (quotes may be unbalanced) or by csv.writer, with any delimiter and line ending."""
    delimiter = draw(st.sampled_from((",", ",", ";", "\t", "|")))
    newline = draw(st.sampled_from(("\n", "\r\n", "\r")))
    rows = [draw(header_rows())]
    rows += draw(
        st.lists(st.lists(cells, max_size=9), min_size=draw(st.integers(0, 1)), max_size=6)
    )
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
        text = buffer.getvalue()
    else:
        text = newline.join(delimiter.join(row) for row in rows)
    if draw(st.booleans()):
        text = draw(st.sampled_from(("", "\n", "\n\n", ",,,\n", "\ufeff", " "))) + text
    return text


@st.composite
def texts_with_stray_controls(draw):
    """A well-formed lead file with a few control characters slipped into it."""
    delimiter = draw(st.sampled_from((",", ";", "\t")))
    rows = [list(draw(st.permutations(SEED_COLUMNS)))]
    row = st.lists(st.text(text_chars, max_size=12), min_size=6, max_size=6)
    rows += draw(st.lists(row, min_size=1, max_size=4))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    text = buffer.getvalue()
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(len(buffer.getvalue().splitlines()[0]), len(text)))
        text = text[:position] + draw(st.sampled_from(CONTROL_CHARS)) + text[position:]
    return text


def _encode(text_and_encoding):
    text, encoding = text_and_encoding
    return text.encode(encoding, errors="replace")


encoded_texts = st.tuples(
    st.one_of(
        csvish_texts(), csvish_texts(), texts_with_stray_controls(), st.text(any_char, max_size=200)
    ),
    st.one_of(st.sampled_from(ENCODINGS), st.sampled_from(ODD_ENCODINGS)),
).map(_encode)


@st.composite
def mutated_bytes(draw):
    """A CSV-shaped file with a few bytes overwritten or inserted."""
    data = bytearray(draw(encoded_texts))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        byte = draw(st.integers(0, 255))
        if position < len(data) and draw(st.booleans()):
            data[position] = byte
        else:
            data.insert(position, byte)
    return bytes(data)


any_upload_bytes = st.one_of(
    st.binary(max_size=600),
    st.builds(lambda bom, rest: bom + rest, st.sampled_from(BOMS), st.binary(max_size=300)),
    encoded_texts,
    encoded_texts,
    encoded_texts,
    encoded_texts,
    mutated_bytes(),
)


# Found by the reader property: a UTF-16 file skips the NUL and control-character checks
# that UTF-8 and 8-bit files get, so U+0000 reaches a lead (and PostgreSQL refuses it).
UTF16_NUL_FILE = (
    "name,role,company,industry,location,linkedin_bio\nA\x00,CEO,Acme,SaaS,Oslo,\n".encode("utf-16")
)


def _read(data: bytes) -> list[dict[str, str]]:
    """A file's leads as leads_import reads them: decoded with the codec csv_encoding
    picks, its delimiter picked, its rows read by iter_lead_values; as dicts."""
    text = data.decode(csv_encoding([data]))
    delimiter = pick_delimiter(io.StringIO(text, newline=""))
    values = iter_lead_values(io.StringIO(text, newline=""), delimiter=delimiter)
    # The seed's six fields of each record (the others are empty in these files).
    return [dict(zip(SEED_COLUMNS, row, strict=False)) for row, _extra in values]


# --- the reader, as a pure function --------------------------------------------------------------


@PURE
@given(data=any_upload_bytes)
@example(data=UTF16_NUL_FILE)
def test_any_bytes_give_leads_or_invalid_input_and_nothing_else(data):
    try:
        rows = _read(data)
    except InvalidInput as exc:
        assert isinstance(exc.message, str)
        assert exc.message.strip()
        return
    assert rows, "a file with no leads must be refused, not read as empty"
    for row in rows:
        assert tuple(row) == SEED_COLUMNS
        assert all(isinstance(value, str) for value in row.values())
        assert all(value == value.strip() for value in row.values())
        assert all(len(row[column]) <= LEAD_FIELD_MAX_LENGTH for column in EXPORT_COLUMNS)
        # PostgreSQL cannot store NUL in a text column: a NUL that reaches a lead is a 500.
        assert not any("\x00" in value for value in row.values())


# --- the same through HTTP -------------------------------------------------------------------


def _upload(api_client, data: bytes):
    cache.clear()  # the upload throttle counts every example of the test as one user
    return api_client.post(UPLOAD_URL, {"csv_file": csv_upload(data)}, format="multipart")


def _clear_uploads(account):
    LeadUpload.objects.filter(account=account).delete()  # their leads go with them


@pytest.mark.django_db
@HTTP
@given(data=any_upload_bytes)
@example(data=UTF16_NUL_FILE)
def test_upload_of_any_bytes_is_201_or_a_json_4xx_never_a_5xx(api_client, account, data):
    _clear_uploads(account)
    try:
        expected = _read(data)
    except InvalidInput as exc:
        expected = exc
    leads_before, uploads_before = Lead.objects.count(), LeadUpload.objects.count()

    response = _upload(api_client, data)

    assert response.status_code < 500, response.content
    leads_added = Lead.objects.count() - leads_before
    uploads_added = LeadUpload.objects.count() - uploads_before
    if response.status_code == 201:
        assert not isinstance(expected, InvalidInput)
        assert response.json() == {
            "message": f"Successfully uploaded {len(expected)} leads",
            **created(len(expected)),
        }
        assert (leads_added, uploads_added) == (len(expected), 1)
        stored = Lead.objects.filter(account=account).order_by("id")
        assert list(stored.values(*SEED_COLUMNS)) == expected
    else:
        assert 400 <= response.status_code < 500
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"]
        assert (leads_added, uploads_added) == (0, 0)
        if isinstance(expected, InvalidInput):
            assert (response.status_code, body["error"]) == (400, expected.message)
    _clear_uploads(account)


# --- round trip: upload → export -------------------------------------------------------------

# Letters of any script, digits, spaces and the punctuation that makes CSV hard.
field_chars = st.one_of(
    st.characters(categories=("L", "M", "N", "Zs")),
    st.sampled_from(list(",;\"'.&()/!?=+-@|\t ")),
)
bio_chars = st.one_of(field_chars, st.sampled_from(list("\n\r")))


def _stripped_text(chars, max_size):
    # The reader strips every cell, so generate values it keeps as they are.
    return st.text(chars, max_size=max_size).map(str.strip)


def _field(max_size=LEAD_FIELD_MAX_LENGTH):
    formula = st.builds(
        lambda start, rest: (start + rest).rstrip(),
        st.sampled_from(FORMULA_STARTS),
        st.text(field_chars, max_size=max_size - 1),
    )
    return st.one_of(_stripped_text(field_chars, max_size), formula)


lead_rows = st.fixed_dictionaries(
    {
        "name": _field(),
        "role": _field(60),
        "company": _field(60),
        "industry": _field(40),
        "location": _field(40),
        "linkedin_bio": st.one_of(_stripped_text(bio_chars, 400), _field(400)),
    }
).filter(lambda row: any(row.values()))  # an all-blank row is skipped, by design


@st.composite
def lead_files(draw):
    """(rows, bytes): valid leads written by csv.writer with the columns in any order and
    case, any of the three delimiters, in UTF-8 (BOM or not) or UTF-16."""
    rows = draw(st.lists(lead_rows, min_size=1, max_size=5))
    columns = draw(st.permutations(SEED_COLUMNS))
    spell = draw(st.sampled_from((str, str.upper, str.title)))
    delimiter = draw(st.sampled_from((",", ";", "\t")))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([spell(column) for column in columns])
    writer.writerows([row[column] for column in columns] for row in rows)
    encoding = draw(st.sampled_from(("utf-8", "utf-8-sig", "utf-16")))
    return rows, buffer.getvalue().encode(encoding)


def _exported_cell(value: str) -> str:
    """What the export must write for a stored value: a formula start gets a leading quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _unquoted(cell: str) -> str:
    """Undo the export's spreadsheet-safety quote."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _export_rows(api_client) -> list[list[str]]:
    response = api_client.get(CSV_URL)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body, newline="")))


@pytest.mark.django_db
@HTTP
@given(files=st.lists(lead_files(), min_size=1, max_size=3))
def test_valid_leads_round_trip_through_upload_and_export(api_client, account, files):
    _clear_uploads(account)
    uploaded = []
    for rows, data in files:
        response = _upload(api_client, data)
        assert response.status_code == 201, response.content
        assert response.json() == {
            "message": f"Successfully uploaded {len(rows)} leads",
            **created(len(rows)),
        }
        uploaded += rows

    exported = _export_rows(api_client)

    assert exported[0] == list(EXPORT_HEADER)
    assert len(exported) - 1 == len(uploaded)
    for row, cells in zip(uploaded, exported[1:], strict=True):
        assert cells[:5] == [_exported_cell(row[column]) for column in EXPORT_COLUMNS]
        if not any(row[column].startswith("'") for column in EXPORT_COLUMNS):
            # Unambiguous when no value itself starts with a quote.
            assert [_unquoted(cell) for cell in cells[:5]] == [row[c] for c in EXPORT_COLUMNS]
        assert cells[5:] == ["", "", ""]  # not scored yet
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    stored = Lead.objects.filter(account=account).order_by("id")
    assert [lead.linkedin_bio for lead in stored] == [row["linkedin_bio"] for row in uploaded]
    _clear_uploads(account)
