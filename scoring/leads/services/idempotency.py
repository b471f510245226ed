"""Idempotency keys: a request sent again with the same key gets the first answer, and its
work is done once.

A key belongs to an account. The first request with it claims it: a record without an
answer, committed at once, so that a concurrent request with the key finds it and is told
to wait (409) instead of doing the work a second time. The request then does its work and
stores its answer in the record if it succeeded (2xx); an upload stores it in the
transaction that stores the upload, so an upload that committed while its client was cut
off is found, answered, by the retry. A request that failed frees its key: the same
request, fixed, may be sent again with it. A claim is held IDEMPOTENCY_LOCK_TIMEOUT seconds
at most; past that, its request is taken for dead and a retry takes the key over. A run
start names its run in the record in the transaction that creates the run, so a retry that
takes over the key of a dead request answers with that run rather than starting another.

Records expire IDEMPOTENCY_TTL seconds after their first request; expired ones are deleted
whenever a key is claimed.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from scoring.accounts.models import Account
from scoring.core.exceptions import Conflict, InvalidInput, Unprocessable
from scoring.leads.models import IdempotencyRecord, ScoringRun

IDEMPOTENCY_KEY_MAX_LENGTH = IdempotencyRecord._meta.get_field("key").max_length
IDEMPOTENCY_KEY_INVALID_ERROR = (
    f"The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters long."
)
IDEMPOTENCY_IN_PROGRESS_ERROR = (
    "A request with this Idempotency-Key is still in progress; retry it once that one has "
    "been answered."
)
IDEMPOTENCY_OTHER_ENDPOINT_ERROR = (
    "This Idempotency-Key was used for {endpoint}; send a new key with a new request."
)
IDEMPOTENCY_OTHER_REQUEST_ERROR = (
    "This Idempotency-Key was used for a request with other parameters or another file; "
    "send a new key with a new request."
)
# Tries at claiming a key that other requests are freeing or expiring at the same moment.
_CLAIM_ATTEMPTS = 3

# The claim of the request this thread is answering, while it does its work.
_active_claim: ContextVar[IdempotencyRecord | None] = ContextVar("idempotency_claim", default=None)


def _lock_until(now):
    return now + timedelta(seconds=settings.IDEMPOTENCY_LOCK_TIMEOUT)


def _check_key(key: str) -> None:
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise InvalidInput(IDEMPOTENCY_KEY_INVALID_ERROR)


def idempotency_claim(
    *, account: Account, key: str, endpoint: str, fingerprint: str
) -> IdempotencyRecord:
    """The key's record: with the answer to give again (`status_code` set), or claimed for
    this request (`status_code` None), which then does the work, unless the record names a
    run that a dead request started. 409 while another request holds the key; 422 for a key
    first used for another endpoint or request."""
    _check_key(key)
    for _ in range(_CLAIM_ATTEMPTS):
        now = timezone.now()
        cutoff = now - timedelta(seconds=settings.IDEMPOTENCY_TTL)
        IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    account=account,
                    key=key,
                    endpoint=endpoint,
                    fingerprint=fingerprint,
                    locked_until=_lock_until(now),
                    created_at=now,
                )
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(
            account=account, key=key, created_at__gte=cutoff
        ).first()
        if record is None:  # freed or expired since: claim it again
            continue
        if record.endpoint != endpoint:
            raise Unprocessable(IDEMPOTENCY_OTHER_ENDPOINT_ERROR.format(endpoint=record.endpoint))
        if record.fingerprint != fingerprint:
            raise Unprocessable(IDEMPOTENCY_OTHER_REQUEST_ERROR)
        if record.status_code is not None:
            return record
        if record.locked_until > now:
            raise Conflict(IDEMPOTENCY_IN_PROGRESS_ERROR)
        # Its request died holding it: take it over, unless another retry just did.
        lock_until = _lock_until(now)
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, status_code__isnull=True, locked_until=record.locked_until
        ).update(locked_until=lock_until)
        if not taken:
            raise Conflict(IDEMPOTENCY_IN_PROGRESS_ERROR)
        record.locked_until = lock_until
        return record
    raise Conflict(IDEMPOTENCY_IN_PROGRESS_ERROR)


def _held(record: IdempotencyRecord):
    """The record while this request still holds it (nobody took it over)."""
    return IdempotencyRecord.objects.filter(
        pk=record.pk, status_code__isnull=True, locked_until=record.locked_until
    )


def idempotency_answer_store(
    *, record: IdempotencyRecord, status_code: int, body, headers: dict[str, str]
) -> bool:
    """Store a claimed key's answer, in the caller's transaction; False when the claim was
    lost (held past IDEMPOTENCY_LOCK_TIMEOUT and taken over), and nothing is stored."""
    stored = _held(record).update(
        status_code=status_code, body=body, headers=headers, locked_until=None
    )
    if stored:
        record.status_code, record.body, record.headers = status_code, body, headers
        record.locked_until = None
    return bool(stored)


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Free the key of a request that failed, so that it may be sent again."""
    _held(record).delete()


@contextmanager
def idempotency_claim_active(*, record: IdempotencyRecord):
    """While this thread answers the request that holds `record`: for the services it calls
    (idempotency_run_bind)."""
    token = _active_claim.set(record)
    try:
        yield
    finally:
        _active_claim.reset(token)


def idempotency_run_bind(*, run: ScoringRun) -> None:
    """Name the run in the claim of the request starting it, if it has one; in the
    transaction that creates the run, so that a run exists only with its record."""
    record = _active_claim.get()
    if record is not None:
        _held(record).update(run=run)
        record.run = run
