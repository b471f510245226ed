"""Claiming, answering and freeing idempotency keys, and a run named in its key's record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scoring.core.exceptions import Conflict, InvalidInput
from scoring.leads.models import IdempotencyRecord
from scoring.leads.services.idempotency import (
    IDEMPOTENCY_IN_PROGRESS_ERROR,
    idempotency_answer_store,
    idempotency_claim,
    idempotency_claim_active,
    idempotency_release,
)
from scoring.leads.services.runs import scoring_run_create
from scoring.leads.services.scoring import NO_LEADS_ERROR
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db

ENDPOINT = "POST /api/uploads/"
FINGERPRINT = "a" * 64


def _claim(account, key="key-1"):
    return idempotency_claim(account=account, key=key, endpoint=ENDPOINT, fingerprint=FINGERPRINT)


def _answer(record, body=None):
    return idempotency_answer_store(
        record=record, status_code=201, body=body or {"id": 1}, headers={}
    )


def _held_since_the_lock_timeout(record):
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    record.refresh_from_db()


def test_a_new_key_is_claimed_and_a_second_claim_is_refused(account):
    record = _claim(account)

    assert (record.status_code, record.run_id) == (None, None)
    with pytest.raises(Conflict, match=IDEMPOTENCY_IN_PROGRESS_ERROR):
        _claim(account)


def test_an_answered_key_gives_its_answer(account):
    assert _answer(_claim(account), {"id": 7})

    again = _claim(account)

    assert (again.status_code, again.body, again.locked_until) == (201, {"id": 7}, None)


def test_a_released_key_can_be_claimed_again(account):
    idempotency_release(record=_claim(account))

    assert _claim(account).status_code is None


def test_a_dead_requests_key_is_taken_over_once(account):
    dead = _claim(account)
    _held_since_the_lock_timeout(dead)

    taker = _claim(account)

    assert taker.pk == dead.pk and taker.locked_until > timezone.now()
    with pytest.raises(Conflict):
        _claim(account)  # the taker holds it now
    # The dead request, had it only been slow, can no longer answer or free it.
    assert not _answer(dead)
    idempotency_release(record=dead)
    assert _answer(taker)


def test_claiming_deletes_the_expired_records_of_every_account(account, settings):
    other = AccountFactory(name="Other")
    _answer(_claim(account, "old-1"))
    _answer(_claim(other, "old-2"))
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL + 1)
    )

    _claim(account, "new")

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize("key", ["", " \t", "x" * 256])
def test_a_key_must_be_1_to_255_characters(account, key):
    with pytest.raises(InvalidInput):
        _claim(account, key)
    assert not IdempotencyRecord.objects.exists()


def test_a_run_created_while_a_claim_is_active_is_named_in_its_record(seed_offer, account):
    LeadFactory()
    record = _claim(account)

    with idempotency_claim_active(record=record):
        run = scoring_run_create(offer=seed_offer)
    outside = scoring_run_create(offer=seed_offer)

    assert IdempotencyRecord.objects.get().run_id == run.pk != outside.pk


def test_a_run_that_could_not_be_created_names_nothing(seed_offer, account):
    record = _claim(account)

    with idempotency_claim_active(record=record), pytest.raises(InvalidInput, match=NO_LEADS_ERROR):
        scoring_run_create(offer=seed_offer)

    assert IdempotencyRecord.objects.get().run_id is None
