from django.conf import settings
from django.db import transaction

from scoring.exceptions import PayloadTooLarge
from scoring.lead_csv import decode_csv_bytes, read_lead_rows
from scoring.models import Lead, LeadUpload

FILE_TOO_LARGE_ERROR = "The file is larger than the {limit} MB upload limit."
INSERT_BATCH_SIZE = 1000


def _read_within_limit(file) -> bytes:
    limit_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024
    data = file.read(limit_bytes + 1)
    if len(data) > limit_bytes:
        raise PayloadTooLarge(FILE_TOO_LARGE_ERROR.format(limit=settings.MAX_UPLOAD_MB))
    return data


@transaction.atomic
def leads_import(*, file, file_name: str) -> LeadUpload:
    """Store every lead of a CSV file as one new upload: all rows or, on any error, none."""
    rows = read_lead_rows(decode_csv_bytes(_read_within_limit(file)))
    upload = LeadUpload.objects.create(file_name=file_name[:255])
    batch, count = [], 0
    for row in rows:
        batch.append(Lead(upload=upload, **row))
        if len(batch) >= INSERT_BATCH_SIZE:
            count += len(Lead.objects.bulk_create(batch))
            batch = []
    count += len(Lead.objects.bulk_create(batch))
    upload.row_count = count
    upload.save(update_fields=["row_count"])
    return upload


@transaction.atomic
def lead_upload_delete(*, upload: LeadUpload) -> None:
    """Delete an upload with its leads and their scores."""
    upload.delete()


@transaction.atomic
def lead_delete(*, lead: Lead) -> None:
    """Delete a lead and its scores."""
    lead.delete()
