"""Writes of leads: importing a CSV or .xlsx file as an upload, deleting uploads and leads.

A person already in the account (the same CRM record id, else the same email whatever its
case, else the same LinkedIn URL) is updated by a new file rather than added again: the
file's non-empty fields replace the stored ones, the others are kept. Every file is read
once; how its rows are written is told where `_file_merge` is (a first export goes straight
into the lead table, any other is staged and merged in SQL).
"""

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from scoring.accounts.models import Account, AuditEvent
from scoring.accounts.services import audit_record, object_delete_audited
from scoring.core.exceptions import InvalidInput, PayloadTooLarge
from scoring.leads.header_mapping import LEAD_FIELDS
from scoring.leads.lead_csv import (
    csv_encoding,
    header_columns,
    iter_lead_values,
    lead_records,
    pick_delimiter,
)
from scoring.leads.models import Lead, LeadUpload
from scoring.leads.titles import normalise_title
from scoring.leads.xlsx import binary_error, is_xlsx, xlsx_rows

FILE_TOO_LARGE_ERROR = "The file is larger than the {limit} MB upload limit."
TOO_MANY_ROWS_ERROR = "The file has more than {limit} leads; split it into smaller files."
# Leads written per INSERT (SQLite and other databases), and between two progress reports.
INSERT_BATCH_SIZE = 5000
# Bytes read from the file at a time.
READ_CHUNK_BYTES = 1024 * 1024
# What `progress` is called with: the leads read so far and the bytes of the file read.
ProgressCallback = Callable[[int, int], None]

ON_DUPLICATE = ("update", "skip", "create")
ON_DUPLICATE_ERROR = "on_duplicate must be one of: {choices}."
# The fields that say who a person is, in the order a re-upload is matched by them.
IDENTITY_FIELDS = ("external_id", "email", "linkedin_url")

# The columns of a lead inserted from the staging table, in this order.
_LEAD_COLUMNS = (
    "account_id", "upload_id", *LEAD_FIELDS, "extra", "seniority", "departments", "created_at",
)  # fmt: skip
_ROLE = LEAD_FIELDS.index("role")


@lru_cache(maxsize=100_000)
def _normalised_role(role: str) -> tuple[str, str]:
    """The role's seniority and departments as the columns store them (JSON text): cached
    as text, so a million rows of a few thousand roles encode no list twice."""
    title = normalise_title(role)
    return title.seniority, json.dumps(list(title.departments))


class _CountingReader(io.RawIOBase):
    """The uploaded file as a raw stream that counts the bytes read from it; closing this
    leaves the file itself open (it belongs to the caller)."""

    def __init__(self, file):
        super().__init__()
        self._file = file
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._file.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.bytes_read += size
        return size


def _file_chunks(file, *, max_bytes: int | None) -> Iterator[bytes]:
    file.seek(0)
    size = 0
    while chunk := file.read(READ_CHUNK_BYTES):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise PayloadTooLarge(FILE_TOO_LARGE_ERROR.format(limit=settings.MAX_UPLOAD_MB))
        yield chunk


@contextmanager
def _text_lines(file, encoding: str):
    """The file from its start, decoded, line by line (line endings kept, as csv wants)."""
    file.seek(0)
    raw = _CountingReader(file)
    text = io.TextIOWrapper(
        io.BufferedReader(raw, buffer_size=READ_CHUNK_BYTES), encoding=encoding, newline=""
    )
    try:
        yield text, raw
    finally:
        text.close()


class _Batches:
    """The rows in lists of up to INSERT_BATCH_SIZE, counted in `count`; the row past
    max_rows is refused (no further row is read); `progress` after each list."""

    def __init__(
        self,
        rows: Iterable[tuple[str, ...]],
        *,
        max_rows: int | None,
        progress: ProgressCallback | None,
        raw: _CountingReader,
    ):
        self._rows, self._max_rows, self._progress, self._raw = rows, max_rows, progress, raw
        self.count = 0

    def __iter__(self) -> Iterator[list[tuple[str, ...]]]:
        rows, max_rows = iter(self._rows), self._max_rows
        while True:
            size = INSERT_BATCH_SIZE
            if max_rows is not None:
                size = min(size, max_rows - self.count + 1)
            batch = list(itertools.islice(rows, size))
            if not batch:
                return
            self.count += len(batch)
            if max_rows is not None and self.count > max_rows:
                raise InvalidInput(TOO_MANY_ROWS_ERROR.format(limit=max_rows))
            yield batch
            if self._progress is not None:
                self._progress(self.count, self._raw.bytes_read)


def _extra_json(extra: dict | None) -> str:
    return json.dumps(extra, ensure_ascii=False) if extra else "{}"


# The seed's six fields are always written; these only when the file has them (the table's
# defaults fill them in otherwise): a file in the seed's format costs what it always did.
_OPTIONAL_FIELDS = ("email", "external_id", "linkedin_url")


def _new_lead_rows(columns, *, upload: LeadUpload, now):
    """The lead columns a file's new people are written with, and the function from a
    record to those cells."""
    kept = [
        i for i, name in enumerate(LEAD_FIELDS) if name not in _OPTIONAL_FIELDS or columns.has(name)
    ]
    names = [LEAD_FIELDS[i] for i in kept]
    with_extra = bool(columns.extra)
    db_columns = (
        "account_id", "upload_id", *names, *(("extra",) if with_extra else ()),
        "seniority", "departments", "created_at",
    )  # fmt: skip
    ids, created_at = (upload.account_id, upload.pk), (_created_at(now),)
    if connection.vendor == "postgresql":
        ids = tuple(map(str, ids))  # as the text COPY reads them: formatted once, not per row
    fields_of = itemgetter(*kept)

    def row_of(values, extra):
        cells = fields_of(values) + ((_extra_json(extra),) if with_extra else ())
        return ids + cells + _normalised_role(values[_ROLE]) + created_at

    return db_columns, row_of


def _quoted(table: str, columns) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(table), ", ".join(quote(column) for column in columns)


def _write_rows(cursor, *, table: str, columns, rows: Iterable[tuple]) -> None:
    """Rows (cells in the order of `columns`) into `table`, in the caller's transaction:
    one COPY ... FROM STDIN through psycopg on PostgreSQL (one for the whole stream: the
    server stores rows while the file is still being read), an executemany of an INSERT per
    INSERT_BATCH_SIZE rows on other databases (SQLite). (bulk_create builds a model instance
    per lead and, on SQLite, an INSERT per 111 rows: eight times slower.)"""
    table_sql, columns_sql = _quoted(table, columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table_sql} ({columns_sql}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table_sql} ({columns_sql}) VALUES ({placeholders})"
    rows = iter(rows)
    while batch := list(itertools.islice(rows, INSERT_BATCH_SIZE)):
        cursor.executemany(sql, batch)


def _created_at(now):
    if connection.vendor == "postgresql":
        return now.isoformat()
    return Lead._meta.get_field("created_at").get_db_prep_save(now, connection)


# --- a file that may name people the account has -------------------------------------------
#
# Every file is read once (and its first rows once more, to choose). When few of its rows
# are people the account has (its first export, or a list of new people), the rows go
# straight into the lead table, then SQL deletes the people the file names twice and merges
# the few found again into the leads they are. Otherwise (a re-upload) the rows go into a
# temporary staging table, where SQL drops the people the file names twice, finds the leads
# the others already are (into a narrow table of matches), rewrites those leads whose values
# change, and inserts the rest. Either way a million rows take one write each.

_STAGE = "intentscore_lead_import"
_STAGE_COLUMNS = (*LEAD_FIELDS, "extra", "seniority", "departments")
_MATCHES = "intentscore_lead_matches"
# A file whose first MOSTLY_NEW_SAMPLE rows find fewer than 1 / MOSTLY_NEW_SHARE of them in
# the account goes straight into the lead table (_mostly_new).
MOSTLY_NEW_SAMPLE = 1000
MOSTLY_NEW_SHARE = 10
MERGE_WORK_MEM = "64MB"
# Each identity field as the staged row and the lead compare it (an email whatever its
# case), and the lead's column, whose partial index holds only the non-empty values.
_KEY_SQL = {
    "external_id": ("k.external_id", "l.external_id", "l.external_id"),
    "email": ("LOWER(k.email)", "LOWER(l.email)", "l.email"),
    "linkedin_url": ("k.linkedin_url", "l.linkedin_url", "l.linkedin_url"),
}


def _work_mem_raise(cursor) -> None:
    """PostgreSQL: room for the hash joins and aggregates over a million rows to stay in
    memory (the default 4 MB spills them to disk), for this transaction only."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL work_mem = '{MERGE_WORK_MEM}'")


def _account_has(cursor, *, account: Account, field: str) -> bool:
    """Whether any lead of the account has this identity field (its partial index says)."""
    lead_table = connection.ops.quote_name(Lead._meta.db_table)
    lead_column = _KEY_SQL[field][2]
    cursor.execute(
        f"SELECT 1 FROM {lead_table} l WHERE l.account_id = %s AND NOT ({lead_column} = '') "
        "LIMIT 1",
        [account.pk],
    )
    return cursor.fetchone() is not None


def _earlier_rows(table: str, key: str, condition: str) -> str:
    """SQL for the row numbers in `table` (aliased k) that a later row shares `key` with (a
    person the file names twice: its last row stands for them)."""
    return (
        f"SELECT k.row_no FROM {table} k JOIN (SELECT {key} AS person, MAX(row_no) AS last "
        f"FROM {table} k WHERE {condition} GROUP BY {key} HAVING COUNT(*) > 1) d "
        f"ON {key} = d.person WHERE k.row_no < d.last"
    )


def _in_file_duplicates_delete(cursor, *, table: str, fields: list[str]) -> int:
    """Drop from `table` each row that a later row shares one of these identity fields
    with; how many."""
    deleted = 0
    for field in fields:
        earlier = _earlier_rows(table, _KEY_SQL[field][0], f"k.{field} <> ''")
        cursor.execute(f"DELETE FROM {table} WHERE row_no IN ({earlier})")
        deleted += max(cursor.rowcount, 0)
    return deleted


def _upload_merge(
    *,
    account: Account,
    upload: LeadUpload,
    fields: list[str],
    known: list[str],
    update: bool,
    rows: int,
) -> dict:
    """After the rows of a file went straight into the lead table as new leads: delete
    those that a later row of the file is too, merge those the account had already into
    the leads they are (or, not `update`, just delete them). Created, updated, skipped."""
    lead_table = connection.ops.quote_name(Lead._meta.db_table)
    keys = _STAGE  # here a narrow table: each new lead's id (its row number) and identity
    with connection.cursor() as cursor:
        _work_mem_raise(cursor)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {keys} AS SELECT id AS row_no, external_id, email, "
            f"linkedin_url FROM {lead_table} WHERE upload_id = %s",
            [upload.pk],
        )
        repeats = _in_file_duplicates_delete(cursor, table=keys, fields=fields)
        matched = _matches_find(
            cursor, account=account, fields=known, rows=rows - repeats, upload=upload
        )
        if update and matched:
            _matched_leads_update(cursor, rows=_matched_rows(lead_table, row_no="id"))
        if repeats or matched:  # rare: worth an index for the lookups of the delete
            cursor.execute(f"CREATE INDEX {keys}_row_no ON {keys} (row_no)")
            cursor.execute(
                f"DELETE FROM {lead_table} WHERE upload_id = %s AND (NOT EXISTS "
                f"(SELECT 1 FROM {keys} k WHERE k.row_no = {lead_table}.id) OR id IN "
                f"(SELECT row_no FROM {_MATCHES}))",
                [upload.pk],
            )
            cursor.execute(f"SELECT COUNT(*) FROM {lead_table} WHERE upload_id = %s", [upload.pk])
            created = cursor.fetchone()[0]
        else:
            created = rows
        cursor.execute(f"DROP TABLE {_MATCHES}")
        cursor.execute(f"DROP TABLE {keys}")
    updated = matched if update else 0
    return {"created": created, "updated": updated, "skipped": rows - created - updated}


def _known_fields(*, account: Account, fields: list[str]) -> list[str]:
    """The identity fields some lead of the account has: the only ones a row can match by."""
    with connection.cursor() as cursor:
        return [f for f in fields if _account_has(cursor, account=account, field=f)]


def _mostly_new(reading, *, account: Account, fields: list[str]) -> bool:
    """Whether few of the file's first rows are people the account has, looked up by these
    identity fields (none: nobody can match): then the rows go straight into the lead
    table and the few found again are merged after, rather than every row staged."""
    if not fields:
        return True
    with connection.cursor() as cursor:
        with reading() as (records, _):
            sample = [values for values, _ in itertools.islice(records, MOSTLY_NEW_SAMPLE)]
        found = 0
        for field in fields:
            place = LEAD_FIELDS.index(field)
            values = list({v[place].lower() if field == "email" else v[place] for v in sample})
            values = [v for v in values if v]
            if not values:
                continue
            _, lead_key, lead_column = _KEY_SQL[field]
            placeholders = ", ".join(["%s"] * len(values))
            cursor.execute(
                f"SELECT COUNT(*) FROM {connection.ops.quote_name(Lead._meta.db_table)} l "
                f"WHERE l.account_id = %s AND NOT ({lead_column} = '') "
                f"AND {lead_key} IN ({placeholders})",
                [account.pk, *values],
            )
            found = max(found, cursor.fetchone()[0])
    return found * MOSTLY_NEW_SHARE < len(sample)


def _staged_type(column: str) -> str:
    """A staging column's type: text, but the JSON ones as the lead's JSON columns hold
    them on PostgreSQL (jsonb), parsed while the file is still being read."""
    if column in ("extra", "departments") and connection.vendor == "postgresql":
        return "jsonb"
    return "text"


def _row_number(*, numbered: bool = False) -> str:
    """The row_no column of a temporary table; `numbered`: 1, 2, … in insertion order.
    On SQLite it is the rowid, by which the joins look rows up (PostgreSQL hashes them)."""
    if connection.vendor == "postgresql":
        return "row_no serial" if numbered else "row_no integer"
    return "row_no integer PRIMARY KEY"


def _stage_fill(cursor, batches: _Batches) -> None:
    """Every row of the file into the staging table, which numbers them in the order it
    gets them."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_STAGE} ({_row_number(numbered=True)}, "
        + ", ".join(f"{column} {_staged_type(column)}" for column in _STAGE_COLUMNS)
        + ")"
    )
    rows = itertools.starmap(_staged_row, itertools.chain.from_iterable(batches))
    _write_rows(cursor, table=_STAGE, columns=_STAGE_COLUMNS, rows=rows)


def _staged_row(values: tuple[str, ...], extra: dict | None) -> tuple[str, ...]:
    return (*values, _extra_json(extra), *_normalised_role(values[_ROLE]))


def _join_keyword() -> str:
    """The join of the staged rows to the leads, each staged row looking its lead up by
    index: SQLite, which knows nothing of a temporary table's size, would otherwise scan
    the staged rows once per lead (its CROSS JOIN keeps the order written)."""
    return "JOIN" if connection.vendor == "postgresql" else "CROSS JOIN"


def _matches_find(
    cursor, *, account: Account, fields: list[str], rows: int, upload: LeadUpload | None = None
) -> int:
    """The lead each staged row is, into the matches table: by the first of `fields` (the
    identity fields some lead of the account has: external id, email whatever its case,
    LinkedIn URL) that finds one. Two rows that are
    one lead: the last stands, the others are dropped from the staging table. With
    `upload`, its own leads are not matched (the rows went into the lead table first).
    How many rows matched."""
    lead_table = connection.ops.quote_name(Lead._meta.db_table)
    cursor.execute(f"CREATE TEMPORARY TABLE {_MATCHES} ({_row_number()}, lead_id bigint)")
    matched_by, matched = 0, 0
    for field in fields:
        if matched == rows:
            break
        key, lead_key, lead_column = _KEY_SQL[field]
        unmatched = f" AND NOT EXISTS (SELECT 1 FROM {_MATCHES} m WHERE m.row_no = k.row_no)"
        # NOT (lead_column = ''): the condition of the lead's partial index on it, word for
        # word, which SQLite needs to see to use the index.
        # One lead per row, the oldest, should the account hold the person twice (from an
        # import with on_duplicate=create).
        cursor.execute(
            f"INSERT INTO {_MATCHES} SELECT k.row_no, MIN(l.id) FROM {_STAGE} k "
            f"{_join_keyword()} {lead_table} l ON {lead_key} = {key} WHERE l.account_id = %s "
            f"AND NOT ({lead_column} = '') AND k.{field} <> ''"
            + (f" AND l.upload_id <> {int(upload.pk)}" if upload is not None else "")
            + (unmatched if matched else "")
            + " GROUP BY k.row_no",
            [account.pk],
        )
        if cursor.rowcount > 0:
            matched_by, matched = matched_by + 1, matched + cursor.rowcount
    if connection.vendor != "postgresql":
        cursor.execute(f"CREATE INDEX {_MATCHES}_lead ON {_MATCHES} (lead_id)")
    # Each field's values are unique in the file by now: only a match by a second field
    # can make two rows one lead.
    if matched_by > 1:
        doubles = _earlier_rows(_MATCHES, "k.lead_id", "k.lead_id IS NOT NULL")
        cursor.execute(f"DELETE FROM {_STAGE} WHERE row_no IN ({doubles})")
        cursor.execute(f"DELETE FROM {_MATCHES} WHERE row_no IN ({doubles})")
        matched -= max(cursor.rowcount, 0)
    return matched


def _json_merge(old: str, new: str) -> str:
    """SQL for the extra columns of both, the new ones winning."""
    if connection.vendor == "postgresql":
        return f"({old} || {new})"
    return f"json_patch({old}, {new})"


def _matched_leads_update(cursor, *, rows: str) -> None:
    """Update each matched lead from its row of the file: the row's non-empty fields
    replace the lead's, its extra columns are added to the lead's. Only the leads that this
    changes are written (a re-upload of the same export rewrites nothing). `rows`: SQL of
    the rows, each with the lead_id it matched and the staged columns."""
    lead = connection.ops.quote_name(Lead._meta.db_table)
    kept = ", ".join(
        f"{c} = CASE WHEN s.{c} <> '' THEN s.{c} ELSE {lead}.{c} END" for c in LEAD_FIELDS
    )
    role_follows = (
        f"seniority = CASE WHEN s.role <> '' THEN s.seniority ELSE {lead}.seniority END, "
        f"departments = CASE WHEN s.role <> '' THEN s.departments "
        f"ELSE {lead}.departments END"
    )
    merged = _json_merge(f"{lead}.extra", "s.extra")
    # On SQLite json() writes the stored text as json_patch() does, to compare them.
    stored = f"{lead}.extra" if connection.vendor == "postgresql" else f"json({lead}.extra)"
    changed = " OR ".join(
        [f"(s.{c} <> '' AND s.{c} <> {lead}.{c})" for c in LEAD_FIELDS]
        + [f"({merged} <> {stored})"]
    )
    cursor.execute(
        f"UPDATE {lead} SET {kept}, {role_follows}, extra = {merged} "
        f"FROM ({rows}) s WHERE {lead}.id = s.lead_id AND ({changed})"
    )


def _matched_rows(source: str, *, row_no: str) -> str:
    """SQL of the matched rows of `source` (the staging table, or the lead table holding
    the file's rows, whose `row_no` column numbers them) with the lead each matched."""
    columns = ", ".join(f"s.{c}" for c in _STAGE_COLUMNS)
    return (
        f"SELECT m.lead_id, {columns} FROM {_MATCHES} m {_join_keyword()} {source} s "
        f"ON s.{row_no} = m.row_no"
    )


def _unmatched_leads_insert(cursor, *, upload: LeadUpload, now, matched: int) -> int:
    """The staged rows that matched no lead, as new leads of the upload; how many."""
    lead_table, columns_sql = _quoted(Lead._meta.db_table, _LEAD_COLUMNS)
    staged = ", ".join(_STAGE_COLUMNS)
    # The new leads' ids in the file's order. Without matches, the staging table's scan
    # gives its rows in that order, and sorting a million wide rows costs seconds.
    unmatched = (
        f" WHERE NOT EXISTS (SELECT 1 FROM {_MATCHES} m WHERE m.row_no = s.row_no) "
        "ORDER BY s.row_no"
        if matched
        else ""
    )
    cursor.execute(
        f"INSERT INTO {lead_table} ({columns_sql}) SELECT %s, %s, {staged}, %s "
        f"FROM {_STAGE} s{unmatched}",
        [upload.account_id, upload.pk, _created_at(now)],
    )
    return max(cursor.rowcount, 0)


def _new_leads_write(batches: _Batches, *, columns, upload: LeadUpload, now) -> None:
    """Every row of the file straight into the lead table, as a new lead of the upload."""
    lead_columns, new_row = _new_lead_rows(columns, upload=upload, now=now)
    rows = itertools.starmap(new_row, itertools.chain.from_iterable(batches))
    with connection.cursor() as cursor:
        _write_rows(cursor, table=Lead._meta.db_table, columns=lead_columns, rows=rows)


def _file_merge(
    batches: _Batches,
    *,
    account: Account,
    upload: LeadUpload,
    fields: list[str],
    known: list[str],
    update: bool,
    now,
) -> dict:
    """Stage the file, then merge it into the account's leads; created, updated, skipped."""
    with connection.cursor() as cursor:
        _work_mem_raise(cursor)
        _stage_fill(cursor, batches)
        repeats = _in_file_duplicates_delete(cursor, table=_STAGE, fields=fields)
        matched = _matches_find(cursor, account=account, fields=known, rows=batches.count - repeats)
        if update and matched:
            _matched_leads_update(cursor, rows=_matched_rows(_STAGE, row_no="row_no"))
        created = 0
        if matched < batches.count - repeats:
            created = _unmatched_leads_insert(cursor, upload=upload, now=now, matched=matched)
        cursor.execute(f"DROP TABLE {_MATCHES}")
        cursor.execute(f"DROP TABLE {_STAGE}")
    skipped = batches.count - created - (matched if update else 0)
    return {"created": created, "updated": matched if update else 0, "skipped": skipped}


# Bytes looked at to tell a CSV, an .xlsx and a file that is neither apart.
_HEAD_BYTES = 8192


class _NoCount:
    """The byte counter of a file whose reader does not say how far it has got (.xlsx)."""

    bytes_read = 0


def _file_reader(file, *, max_bytes, mapping, sheet):
    """The file's header (as a ColumnMap), and a function that opens a reading of it: a
    context giving its lead records and its byte counter. For a CSV or an .xlsx;
    InvalidInput for any other kind of file."""
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    if error := binary_error(head):
        raise InvalidInput(error)
    if is_xlsx(head):
        for _ in _file_chunks(file, max_bytes=max_bytes):  # the size limit, before unzipping
            pass
        columns = header_columns(xlsx_rows(file, sheet=sheet), mapping=mapping)

        @contextmanager
        def xlsx_reading():
            rows = enumerate(xlsx_rows(file, sheet=sheet), start=1)
            yield lead_records(rows, mapping=mapping), _NoCount()

        return columns, xlsx_reading
    encoding = csv_encoding(_file_chunks(file, max_bytes=max_bytes))
    with _text_lines(file, encoding) as (lines, _):
        delimiter = pick_delimiter(lines)
    with _text_lines(file, encoding) as (lines, _):
        columns = header_columns(csv.reader(lines, delimiter=delimiter), mapping=mapping)

    @contextmanager
    def csv_reading():
        with _text_lines(file, encoding) as (lines, raw):
            yield iter_lead_values(lines, delimiter=delimiter, mapping=mapping), raw

    return columns, csv_reading


@transaction.atomic
def leads_import(
    *,
    account: Account,
    file,
    file_name: str,
    user=None,
    progress: ProgressCallback | None = None,
    enforce_limits: bool = True,
    mapping: dict | None = None,
    on_duplicate: str = "update",
    sheet: str | None = None,
) -> LeadUpload:
    """Store every lead of a CSV or .xlsx file as one upload: all rows or, on any error,
    none.

    `file` is a seekable binary file, read as a stream (a CSV's first pass over its bytes
    finds its encoding, a second parses and stores it; an .xlsx is read in openpyxl's
    read-only mode, its first sheet unless `sheet` names one), so memory stays flat.
    `mapping` ({field: column or [columns]}) overrides the header's aliases. A person the
    account has already is updated (`on_duplicate="update"`), left as is ("skip"), or added
    again ("create"). `progress(leads, bytes_read)` is called every INSERT_BATCH_SIZE leads
    and at the end. `enforce_limits=False` (manage.py import_leads) lifts MAX_UPLOAD_MB and
    MAX_UPLOAD_ROWS.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(ON_DUPLICATE_ERROR.format(choices=", ".join(ON_DUPLICATE)))
    max_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024 if enforce_limits else None
    max_rows = settings.MAX_UPLOAD_ROWS if enforce_limits else None
    # Two imports into one account one after the other, so that each finds the people the
    # other added (a row lock on PostgreSQL; SQLite has one writer anyway).
    Account.objects.select_for_update().filter(pk=account.pk).exists()
    upload = LeadUpload.objects.create(account=account, file_name=file_name[:255])
    now = timezone.now()
    columns, reading = _file_reader(file, max_bytes=max_bytes, mapping=mapping, sheet=sheet)
    # The identity fields a row is matched by: none when every row is to be a new lead.
    present = [f for f in IDENTITY_FIELDS if columns.has(f)] if on_duplicate != "create" else []
    known = _known_fields(account=account, fields=present)
    straight = _mostly_new(reading, account=account, fields=known)
    with reading() as (records, raw):
        batches = _Batches(records, max_rows=max_rows, progress=progress, raw=raw)
        if straight:
            _new_leads_write(batches, columns=columns, upload=upload, now=now)
        else:
            counts = _file_merge(
                batches, account=account, upload=upload, fields=present, known=known,
                now=now, update=on_duplicate == "update",
            )  # fmt: skip
    if straight and present:
        counts = _upload_merge(
            account=account, upload=upload, fields=present, known=known, rows=batches.count,
            update=on_duplicate == "update",
        )  # fmt: skip
    elif straight:
        counts = {"created": batches.count, "updated": 0, "skipped": 0}
    count = batches.count
    upload.row_count = count
    upload.created, upload.updated, upload.skipped = (
        counts["created"], counts["updated"], counts["skipped"]
    )  # fmt: skip
    upload.save(update_fields=["row_count", "created", "updated", "skipped"])
    audit_record(
        account=account,
        user=user,
        action=AuditEvent.Action.UPLOAD,
        obj=upload,
        detail={"file_name": upload.file_name, "rows": count, **counts},
    )
    return upload


@transaction.atomic
def lead_upload_delete(*, upload: LeadUpload, user=None) -> None:
    """Delete an upload with its leads and their scores."""
    object_delete_audited(
        obj=upload, user=user, detail={"file_name": upload.file_name, "rows": upload.row_count}
    )


@transaction.atomic
def lead_update(*, lead: Lead, **fields) -> Lead:
    """Change a lead's fields; its seniority and departments follow its role."""
    for field, value in fields.items():
        setattr(lead, field, value)
    title = normalise_title(lead.role)
    lead.seniority, lead.departments = title.seniority, list(title.departments)
    lead.save(update_fields=[*fields, "seniority", "departments"])
    return lead


@transaction.atomic
def lead_delete(*, lead: Lead, user=None) -> None:
    """Delete a lead and its scores."""
    object_delete_audited(obj=lead, user=user, detail={"name": lead.name, "company": lead.company})
