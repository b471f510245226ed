"""Writes of leads: importing a CSV file as a new upload, deleting uploads and leads."""

import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from scoring.accounts.models import Account, AuditEvent
from scoring.accounts.services import audit_record, object_delete_audited
from scoring.core.exceptions import InvalidInput, PayloadTooLarge
from scoring.leads.lead_csv import (
    REQUIRED_COLUMNS,
    csv_encoding,
    iter_lead_values,
    pick_delimiter,
)
from scoring.leads.models import Lead, LeadUpload
from scoring.leads.titles import normalise_title

FILE_TOO_LARGE_ERROR = "The file is larger than the {limit} MB upload limit."
TOO_MANY_ROWS_ERROR = "The file has more than {limit} leads; split it into smaller files."
# Leads written per INSERT (SQLite and other databases), and between two progress reports.
INSERT_BATCH_SIZE = 5000
# Bytes read from the file at a time.
READ_CHUNK_BYTES = 1024 * 1024
# What `progress` is called with: the leads read so far and the bytes of the file read.
ProgressCallback = Callable[[int, int], None]

# The columns a lead is written with, in this order: its account, upload, CSV values, its
# role normalised, time.
_LEAD_COLUMNS = (
    "account_id", "upload_id", *REQUIRED_COLUMNS, "seniority", "departments", "created_at",
)  # fmt: skip
_ROLE = REQUIRED_COLUMNS.index("role")


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


def _lead_table_and_columns() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(Lead._meta.db_table), ", ".join(quote(column) for column in _LEAD_COLUMNS)


def _copy_leads(batches: _Batches, *, upload: LeadUpload, now) -> None:
    """PostgreSQL: one COPY ... FROM STDIN through psycopg, in the caller's transaction."""
    table, columns = _lead_table_and_columns()
    # The same ids and time on every row, as the text COPY reads them: formatted once here
    # rather than by psycopg for each row (a datetime costs more to format than the rest).
    prefix, suffix = (str(upload.account_id), str(upload.pk)), (now.isoformat(),)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for batch in batches:
                for values in batch:
                    copy.write_row(prefix + values + _normalised_role(values[_ROLE]) + suffix)


def _insert_leads(batches: _Batches, *, upload: LeadUpload, now) -> None:
    """Other databases (SQLite): executemany of one INSERT per batch. (bulk_create builds a
    model instance per lead and, on SQLite, an INSERT per 111 rows: eight times slower.)"""
    table, columns = _lead_table_and_columns()
    placeholders = ", ".join(["%s"] * len(_LEAD_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    created_at = Lead._meta.get_field("created_at").get_db_prep_save(now, connection)
    prefix, suffix = (upload.account_id, upload.pk), (created_at,)
    with connection.cursor() as cursor:
        for batch in batches:
            cursor.executemany(
                sql,
                [prefix + values + _normalised_role(values[_ROLE]) + suffix for values in batch],
            )


@transaction.atomic
def leads_import(
    *,
    account: Account,
    file,
    file_name: str,
    user=None,
    progress: ProgressCallback | None = None,
    enforce_limits: bool = True,
) -> LeadUpload:
    """Store every lead of a CSV file as one new upload: all rows or, on any error, none.

    `file` is a seekable binary file, read as a stream (a first pass over its bytes finds
    its encoding, a second parses and stores it), so memory stays flat whatever its size.
    `progress(leads, bytes_read)` is called every INSERT_BATCH_SIZE leads and at the end.
    `enforce_limits=False` (manage.py import_leads) lifts MAX_UPLOAD_MB and MAX_UPLOAD_ROWS.
    """
    max_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024 if enforce_limits else None
    max_rows = settings.MAX_UPLOAD_ROWS if enforce_limits else None
    encoding = csv_encoding(_file_chunks(file, max_bytes=max_bytes))
    with _text_lines(file, encoding) as (lines, _):
        delimiter = pick_delimiter(lines)
    upload = LeadUpload.objects.create(account=account, file_name=file_name[:255])
    with _text_lines(file, encoding) as (lines, raw):
        batches = _Batches(
            iter_lead_values(lines, delimiter=delimiter),
            max_rows=max_rows,
            progress=progress,
            raw=raw,
        )
        insert = _copy_leads if connection.vendor == "postgresql" else _insert_leads
        insert(batches, upload=upload, now=timezone.now())
    upload.row_count = count = batches.count
    upload.save(update_fields=["row_count"])
    audit_record(
        account=account,
        user=user,
        action=AuditEvent.Action.UPLOAD,
        obj=upload,
        detail={"file_name": upload.file_name, "rows": count},
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
