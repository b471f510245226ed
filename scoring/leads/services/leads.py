"""Writes of leads: importing a CSV or .xlsx file as an upload, deleting uploads and leads.

A person already in the account (the same CRM record id, else the same email whatever its
case, else the same LinkedIn URL) is updated by a new file rather than added again: the
file's non-empty fields replace the stored ones, the others are kept. The file is staged in
a temporary table and merged in SQL, so a million rows never pass through Python twice; a
file with none of those three columns can match nobody and goes straight in.
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

# The columns a lead is written with, in this order: its account, upload, the file's values,
# its extra columns (JSON), its role normalised, time.
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


def _lead_row(values: tuple[str, ...], extra: dict | None) -> tuple:
    """A record's values as the lead columns after the ids: the fields, the extra columns
    as JSON, the role normalised."""
    return (*values, _extra_json(extra), *_normalised_role(values[_ROLE]))


# The seed's six fields are always written; these only when the file has them (the table's
# defaults fill them in otherwise): a file in the seed's format costs what it always did.
_OPTIONAL_FIELDS = ("email", "external_id", "linkedin_url")


def _direct_rows(columns, *, upload: LeadUpload, now):
    """The lead columns a file that matches nobody is written with, and the function from
    a record to those cells."""
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


def _copy_leads(batches: _Batches, *, table: str, columns, row_of) -> None:
    """PostgreSQL: every record into `table` (`row_of(values, extra)` its cells in the order
    of `columns`) with one COPY ... FROM STDIN through psycopg, in the caller's transaction."""
    table_sql, columns_sql = _quoted(table, columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table_sql} ({columns_sql}) FROM STDIN") as copy:
            for batch in batches:
                for values, extra in batch:
                    copy.write_row(row_of(values, extra))


def _insert_leads(batches: _Batches, *, table: str, columns, row_of) -> None:
    """Other databases (SQLite): executemany of one INSERT per batch. (bulk_create builds a
    model instance per lead and, on SQLite, an INSERT per 111 rows: eight times slower.)"""
    table_sql, columns_sql = _quoted(table, columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table_sql} ({columns_sql}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for batch in batches:
            cursor.executemany(sql, [row_of(values, extra) for values, extra in batch])


def _write(batches: _Batches, *, table: str, columns, row_of) -> None:
    write = _copy_leads if connection.vendor == "postgresql" else _insert_leads
    write(batches, table=table, columns=columns, row_of=row_of)


def _created_at(now):
    if connection.vendor == "postgresql":
        return now.isoformat()
    return Lead._meta.get_field("created_at").get_db_prep_save(now, connection)


# The staging table of an import that may update leads: the lead's columns after the ids,
# the row's place in the file, and the lead it turns out to be (if any).
_STAGE = "intentscore_lead_import"
_STAGE_COLUMNS = (*LEAD_FIELDS, "extra", "seniority", "departments", "row_no")
_STAGE_TYPES = {"extra": "text", "departments": "text", "row_no": "integer"}


def _stage_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    columns = ", ".join(f"{c} {_STAGE_TYPES.get(c, 'text')}" for c in _STAGE_COLUMNS)
    cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} ({columns}, email_key text, match_id bigint)")


def _stage_fill(batches: _Batches) -> None:
    """The file into the staging table, each row numbered by its place in the file."""
    numbers = itertools.count(1)
    _write(
        batches,
        table=_STAGE,
        columns=_STAGE_COLUMNS,
        row_of=lambda values, extra: (*_lead_row(values, extra), next(numbers)),
    )


def _json(text_column: str) -> str:
    """SQL reading a staged JSON text as the lead's JSON column holds it."""
    return f"{text_column}::jsonb" if connection.vendor == "postgresql" else text_column


def _json_merge(old: str, new: str) -> str:
    """SQL for the extra columns of both, the new ones winning."""
    if connection.vendor == "postgresql":
        return f"({old} || {new})"
    return f"json_patch({old}, {new})"


# How a staged row finds its lead, in this order: the staging column, the lead's side,
# the lead's column (whose partial index holds only the non-empty ones).
_MATCHED_BY = (
    ("external_id", "l.external_id", "l.external_id"),
    ("email_key", "LOWER(l.email)", "l.email"),
    ("linkedin_url", "l.linkedin_url", "l.linkedin_url"),
)


def _stage_merge(*, account: Account, upload: LeadUpload, on_duplicate: str, now) -> dict:
    """Match the staged rows to the account's leads (external id, else email, else LinkedIn
    URL), keep one row per person of the file (its last), then update or skip the matched
    leads and insert the rest. Counts of created, updated and skipped."""
    lead_table = connection.ops.quote_name(Lead._meta.db_table)
    stage = _STAGE
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {stage} SET email_key = LOWER(email) WHERE email <> ''")
        for column in ("external_id", "email_key", "linkedin_url"):
            cursor.execute(f"CREATE INDEX {stage}_{column} ON {stage} ({column})")
        # A person twice in the file: the last row stands for them.
        in_file = 0
        for column in ("external_id", "email_key", "linkedin_url"):
            cursor.execute(
                f"DELETE FROM {stage} WHERE row_no IN (SELECT row_no FROM (SELECT row_no, "
                f"ROW_NUMBER() OVER (PARTITION BY {column} ORDER BY row_no DESC) AS later "
                f"FROM {stage} WHERE {column} <> '') AS numbered WHERE later > 1)"
            )
            in_file += max(cursor.rowcount, 0)
        # One join per key (UPDATE ... FROM, on both databases), not a lookup per row.
        for column, lead_side, lead_column in _MATCHED_BY:
            # `lead_column <> ''`: the condition of the lead's partial index on it.
            cursor.execute(
                f"UPDATE {stage} SET match_id = l.id FROM {lead_table} l WHERE "
                f"l.account_id = %s AND {lead_column} <> '' AND {lead_side} = {stage}.{column} "
                f"AND {stage}.match_id IS NULL AND {stage}.{column} <> ''",
                [account.pk],
            )
        cursor.execute(f"SELECT COUNT(*) FROM {stage} WHERE match_id IS NOT NULL")
        matched = cursor.fetchone()[0]
        if on_duplicate == "update" and matched:
            kept = ", ".join(
                f"{c} = CASE WHEN s.{c} <> '' THEN s.{c} ELSE {lead_table}.{c} END"
                for c in LEAD_FIELDS
            )
            role_follows = (
                f"seniority = CASE WHEN s.role <> '' THEN s.seniority ELSE {lead_table}.seniority "
                f"END, departments = CASE WHEN s.role <> '' THEN {_json('s.departments')} "
                f"ELSE {lead_table}.departments END"
            )
            merged = _json_merge(f"{lead_table}.extra", _json("s.extra"))
            cursor.execute(
                f"UPDATE {lead_table} SET {kept}, {role_follows}, extra = {merged} "
                f"FROM {stage} s WHERE {lead_table}.id = s.match_id"
            )
        columns_sql = _quoted(Lead._meta.db_table, _LEAD_COLUMNS)[1]
        stage_columns = ", ".join(
            _json(c) if c in ("extra", "departments") else c for c in _STAGE_COLUMNS[:-1]
        )
        cursor.execute(
            f"INSERT INTO {lead_table} ({columns_sql}) SELECT %s, %s, {stage_columns}, %s "
            f"FROM {stage} WHERE match_id IS NULL ORDER BY row_no",
            [account.pk, upload.pk, _created_at(now)],
        )
        created = max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {stage}")
    updated = matched if on_duplicate == "update" else 0
    skipped = in_file + (matched if on_duplicate == "skip" else 0)
    return {"created": created, "updated": updated, "skipped": skipped}


# Bytes looked at to tell a CSV, an .xlsx and a file that is neither apart.
_HEAD_BYTES = 8192


class _NoCount:
    """The byte counter of a file whose reader does not say how far it has got (.xlsx)."""

    bytes_read = 0


@contextmanager
def _file_records(file, *, max_bytes, mapping, sheet):
    """The file's header (as a ColumnMap), its lead records and its byte counter, whether
    it is a CSV or an .xlsx; InvalidInput for any other kind of file."""
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    if error := binary_error(head):
        raise InvalidInput(error)
    if is_xlsx(head):
        for _ in _file_chunks(file, max_bytes=max_bytes):  # the size limit, before unzipping
            pass
        columns = header_columns(xlsx_rows(file, sheet=sheet), mapping=mapping)
        rows = enumerate(xlsx_rows(file, sheet=sheet), start=1)
        yield columns, lead_records(rows, mapping=mapping), _NoCount()
        return
    encoding = csv_encoding(_file_chunks(file, max_bytes=max_bytes))
    with _text_lines(file, encoding) as (lines, _):
        delimiter = pick_delimiter(lines)
    with _text_lines(file, encoding) as (lines, _):
        columns = header_columns(csv.reader(lines, delimiter=delimiter), mapping=mapping)
    with _text_lines(file, encoding) as (lines, raw):
        yield columns, iter_lead_values(lines, delimiter=delimiter, mapping=mapping), raw


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
    upload = LeadUpload.objects.create(account=account, file_name=file_name[:255])
    now = timezone.now()
    with _file_records(file, max_bytes=max_bytes, mapping=mapping, sheet=sheet) as (
        columns,
        records,
        raw,
    ):
        may_match = on_duplicate != "create" and any(columns.has(f) for f in IDENTITY_FIELDS)
        batches = _Batches(records, max_rows=max_rows, progress=progress, raw=raw)
        if may_match:
            with connection.cursor() as cursor:
                _stage_create(cursor)
            _stage_fill(batches)
            counts = _stage_merge(
                account=account, upload=upload, on_duplicate=on_duplicate, now=now
            )
        else:
            columns_written, row_of = _direct_rows(columns, upload=upload, now=now)
            _write(batches, table=Lead._meta.db_table, columns=columns_written, row_of=row_of)
            counts = {"created": batches.count, "updated": 0, "skipped": 0}
    upload.row_count = count = batches.count
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
