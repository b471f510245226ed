from django.conf import settings
from django.db import transaction

from scoring.exceptions import InvalidInput, PayloadTooLarge
from scoring.lead_csv import decode_csv_bytes, read_lead_rows
from scoring.models import Account, AuditEvent, Lead, LeadUpload
from scoring.services.accounts import audit_record

FILE_TOO_LARGE_ERROR = "The file is larger than the {limit} MB upload limit."
TOO_MANY_ROWS_ERROR = "The file has more than {limit} leads; split it into smaller files."
INSERT_BATCH_SIZE = 1000


def _read_within_limit(file) -> bytes:
    limit_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024
    data = file.read(limit_bytes + 1)
    if len(data) > limit_bytes:
        raise PayloadTooLarge(FILE_TOO_LARGE_ERROR.format(limit=settings.MAX_UPLOAD_MB))
    return data


@transaction.atomic
def leads_import(*, account: Account, file, file_name: str, user=None) -> LeadUpload:
    """Store every lead of a CSV file as one new upload: all rows or, on any error, none."""
    rows = read_lead_rows(decode_csv_bytes(_read_within_limit(file)))
    upload = LeadUpload.objects.create(account=account, file_name=file_name[:255])
    batch, count = [], 0
    for row in rows:
        if count + len(batch) >= settings.MAX_UPLOAD_ROWS:
            raise InvalidInput(TOO_MANY_ROWS_ERROR.format(limit=settings.MAX_UPLOAD_ROWS))
        batch.append(Lead(account=account, upload=upload, **row))
        if len(batch) >= INSERT_BATCH_SIZE:
            count += len(Lead.objects.bulk_create(batch))
            batch = []
    count += len(Lead.objects.bulk_create(batch))
    upload.row_count = count
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
    audit_record(
        account=upload.account,
        user=user,
        action=AuditEvent.Action.DELETE,
        obj=upload,
        detail={"file_name": upload.file_name, "rows": upload.row_count},
    )
    upload.delete()


@transaction.atomic
def lead_delete(*, lead: Lead, user=None) -> None:
    """Delete a lead and its scores."""
    audit_record(
        account=lead.account,
        user=user,
        action=AuditEvent.Action.DELETE,
        obj=lead,
        detail={"name": lead.name, "company": lead.company},
    )
    lead.delete()
