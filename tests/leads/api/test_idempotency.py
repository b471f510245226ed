"""Idempotency-Key on uploads and run starts: a retry with the same key answers the first
answer and does nothing twice; another request with the key, or a key still in flight, is
refused; a failed or expired one does the work again."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from scoring.accounts.models import AuditEvent
from scoring.core.idempotency import IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER
from scoring.leads.header_mapping import MISSING_FIELDS_ERROR
from scoring.leads.models import IdempotencyRecord, Lead, LeadUpload, ScoringRun
from scoring.leads.services.idempotency import (
    IDEMPOTENCY_IN_PROGRESS_ERROR,
    IDEMPOTENCY_KEY_INVALID_ERROR,
    IDEMPOTENCY_OTHER_ENDPOINT_ERROR,
    IDEMPOTENCY_OTHER_REQUEST_ERROR,
)
from scoring.leads.services.scoring import PROVIDER_FAILED_ERROR
from tests.factories import (
    CSV_HEADER,
    LeadFactory,
    UserFactory,
    api_key_client,
    created,
    csv_upload,
)
from tests.leads.scoring_helpers import FixedProvider

UPLOAD_URL = "/leads/upload/"
API_UPLOAD_URL = "/api/uploads/"
RUNS_URL = "/api/runs/"
SCORE_URL = "/score/"
ROWS = "Ada Lovelace,CTO,Engines Ltd,Software,London,Looking for analytics\n"
OTHER_ROWS = "Grace Hopper,VP Engineering,Navy Labs,Software,Arlington,Evaluating tools\n"
KEY = "5f1c2a9e-upload-1"


def _upload(client, *, key=KEY, rows=ROWS, url=UPLOAD_URL, name="leads.csv"):
    headers = {} if key is None else {IDEMPOTENCY_KEY_HEADER: key}
    return client.post(
        url, {"csv_file": csv_upload(CSV_HEADER + rows, name)}, format="multipart", headers=headers
    )


def _post_json(client, url, body=None, *, key=KEY):
    return client.post(url, body or {}, format="json", headers={IDEMPOTENCY_KEY_HEADER: key})


def _expire_claims():
    """As if the requests holding keys had died IDEMPOTENCY_LOCK_TIMEOUT ago."""
    IdempotencyRecord.objects.update(locked_until=timezone.now() - timedelta(seconds=1))


# --- Replays -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_whose_answer_was_lost_is_answered_by_its_retry_and_stored_once(api_client):
    # The first answer never reaches the client (cut off after the commit): it sends again.
    _upload(api_client)

    retry = _upload(api_client)

    assert retry.status_code == 201
    assert retry.json() == {"message": "Successfully uploaded 1 leads", **created(1)}
    assert retry[REPLAYED_HEADER] == "true"
    assert (LeadUpload.objects.count(), Lead.objects.count()) == (1, 1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD).count() == 1


@pytest.mark.django_db
def test_a_first_answer_says_nothing_of_replays(api_client):
    first = _upload(api_client)

    assert first.status_code == 201
    assert REPLAYED_HEADER not in first


@pytest.mark.django_db
def test_an_api_upload_replay_is_the_first_answer_byte_for_byte(api_client):
    first = _upload(api_client, url=API_UPLOAD_URL)
    retry = _upload(api_client, url=API_UPLOAD_URL)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content
    assert LeadUpload.objects.get().id == first.json()["id"]


@pytest.mark.django_db
def test_the_seed_path_without_its_slash_is_the_same_endpoint(api_client):
    _upload(api_client, url="/leads/upload")

    retry = _upload(api_client, url="/leads/upload/")

    assert (retry.status_code, retry[REPLAYED_HEADER]) == (201, "true")
    assert LeadUpload.objects.count() == 1


@pytest.mark.django_db
def test_an_upload_and_its_answer_commit_together(api_client, monkeypatch):
    def store_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("scoring.leads.api.idempotency.idempotency_answer_store", store_fails)

    assert _upload(api_client).status_code == 500
    # No upload without its answer: a retry cannot store it a second time.
    assert not LeadUpload.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_run_start_retried_answers_the_same_run_and_location(api_client, seed_offer):
    LeadFactory.create_batch(3)

    first = _post_json(api_client, RUNS_URL, {"offer": seed_offer.id})
    retry = _post_json(api_client, RUNS_URL, {"offer": seed_offer.id})

    assert (first.status_code, retry.status_code) == (202, 202)
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert retry[REPLAYED_HEADER] == "true"
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_a_seed_score_retried_answers_the_first_scores_without_a_second_run(api_client, seed_offer):
    LeadFactory.create_batch(2)

    first = _post_json(api_client, SCORE_URL)
    retry = _post_json(api_client, SCORE_URL)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert len(first.json()) == 2
    assert retry.json() == first.json()
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_an_offer_score_retried_with_rescore_asks_the_provider_once(
    api_client, seed_offer, monkeypatch
):
    LeadFactory.create_batch(2)
    provider = FixedProvider("High")
    monkeypatch.setattr("scoring.leads.services.runs.assessor_from_settings", lambda: provider)
    url = f"/api/offers/{seed_offer.id}/score/"

    first = _post_json(api_client, url, {"rescore": True})
    retry = _post_json(api_client, url, {"rescore": True})

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert provider.calls == 2  # two leads, once
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_every_request_does_its_work(api_client):
    _upload(api_client, key=None)
    _upload(api_client, key=None)

    assert LeadUpload.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_with_another_file_is_422_and_stores_nothing(api_client):
    _upload(api_client)

    other = _upload(api_client, rows=OTHER_ROWS)

    assert other.status_code == 422
    assert other.json() == {"error": IDEMPOTENCY_OTHER_REQUEST_ERROR}
    assert Lead.objects.get().name == "Ada Lovelace"


@pytest.mark.django_db
def test_the_same_key_with_another_file_name_is_422(api_client):
    _upload(api_client)

    assert _upload(api_client, name="renamed.csv").status_code == 422


@pytest.mark.django_db
def test_the_same_key_with_another_body_of_a_run_start_is_422(api_client, seed_offer):
    LeadFactory()
    _post_json(api_client, RUNS_URL, {"offer": seed_offer.id})

    other = _post_json(api_client, RUNS_URL, {"offer": seed_offer.id, "rescore": True})

    assert (other.status_code, other.json()) == (422, {"error": IDEMPOTENCY_OTHER_REQUEST_ERROR})
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_on_another_endpoint_is_422_naming_the_first(api_client):
    _upload(api_client)

    other = _upload(api_client, url=API_UPLOAD_URL)

    assert other.status_code == 422
    assert other.json() == {
        "error": IDEMPOTENCY_OTHER_ENDPOINT_ERROR.format(endpoint="POST /leads/upload/")
    }
    assert LeadUpload.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "k" * 256], ids=["empty", "blank", "256-chars"])
def test_an_empty_or_too_long_key_is_400_and_does_nothing(api_client, key):
    response = _upload(api_client, key=key)

    assert response.status_code == 400
    assert response.json() == {"error": IDEMPOTENCY_KEY_INVALID_ERROR}
    assert not LeadUpload.objects.exists()


@pytest.mark.django_db
def test_a_key_of_255_characters_is_accepted(api_client):
    assert _upload(api_client, key="k" * 255).status_code == 201
    assert _upload(api_client, key="k" * 255)[REPLAYED_HEADER] == "true"


@pytest.mark.django_db
def test_a_key_still_in_flight_is_409(api_client):
    _upload(api_client)
    # As the record stands while the first request is still storing its upload.
    IdempotencyRecord.objects.update(
        status_code=None, body=None, locked_until=timezone.now() + timedelta(minutes=5)
    )
    LeadUpload.objects.all().delete()

    response = _upload(api_client)

    assert response.status_code == 409
    assert response.json() == {"error": IDEMPOTENCY_IN_PROGRESS_ERROR}
    assert not LeadUpload.objects.exists()


# --- Failures, deaths, expiry and accounts -----------------------------------------------------


@pytest.mark.django_db
def test_a_failed_upload_frees_its_key_for_the_request_fixed(api_client):
    broken = api_client.post(
        UPLOAD_URL,
        {"csv_file": csv_upload("name,company\nAda,Engines\n")},
        format="multipart",
        headers={IDEMPOTENCY_KEY_HEADER: KEY},
    )
    assert broken.status_code == 400
    assert broken.json()["error"].startswith(MISSING_FIELDS_ERROR.split("{")[0])

    fixed = _upload(api_client)

    assert fixed.status_code == 201
    assert REPLAYED_HEADER not in fixed
    assert LeadUpload.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_seed_score_frees_its_key(api_client, seed_offer, monkeypatch):
    LeadFactory.create_batch(2)
    failing = FixedProvider("High", remote=True, fail_for={"*"})
    monkeypatch.setattr("scoring.leads.services.runs.assessor_from_settings", lambda: failing)
    failed = _post_json(api_client, SCORE_URL)
    assert failed.json() == {
        "error": PROVIDER_FAILED_ERROR.format(provider="fixed", error="HTTP 503 from fixed")
    }
    monkeypatch.setattr(
        "scoring.leads.services.runs.assessor_from_settings", lambda: FixedProvider("Low")
    )

    again = _post_json(api_client, SCORE_URL)

    assert again.status_code == 200
    assert ScoringRun.objects.count() == 2


@pytest.mark.django_db
def test_an_upload_whose_request_died_before_its_commit_is_done_by_a_retry(api_client):
    _upload(api_client)
    # The first request died mid-upload: its claim is left, the upload rolled back.
    IdempotencyRecord.objects.update(status_code=None, body=None)
    LeadUpload.objects.all().delete()
    _expire_claims()

    retry = _upload(api_client)

    assert retry.status_code == 201
    assert REPLAYED_HEADER not in retry
    assert LeadUpload.objects.count() == 1
    assert _upload(api_client)[REPLAYED_HEADER] == "true"


class RequestDied(BaseException):
    """The worker process is killed: nothing more runs in that request."""


@pytest.mark.django_db
def test_a_seed_score_whose_request_died_after_starting_its_run_answers_with_the_run(
    api_client, seed_offer, monkeypatch
):
    LeadFactory.create_batch(2)

    def killed(**kwargs):
        raise RequestDied

    with monkeypatch.context() as patches:
        patches.setattr("scoring.leads.api.runs.scoring_run_wait", killed)
        patches.setattr("scoring.leads.api.idempotency.idempotency_release", lambda **kwargs: None)
        with pytest.raises(RequestDied):
            _post_json(api_client, SCORE_URL)
    run = ScoringRun.objects.get()
    assert _post_json(api_client, SCORE_URL).status_code == 409  # its claim is still held
    _expire_claims()

    retry = _post_json(api_client, SCORE_URL)
    again = _post_json(api_client, SCORE_URL)

    assert retry.status_code == 202
    assert retry["Location"].endswith(f"/api/runs/{run.id}/")
    assert (retry.json()["id"], retry[REPLAYED_HEADER]) == (run.id, "true")
    assert (again.status_code, again.json()) == (202, retry.json())
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_key_does_the_work_again(api_client, settings):
    _upload(api_client)
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL + 1)
    )

    again = _upload(api_client, rows=OTHER_ROWS)

    assert again.status_code == 201
    assert REPLAYED_HEADER not in again
    assert LeadUpload.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1  # the expired one deleted


@pytest.mark.django_db
def test_the_same_key_in_another_account_is_another_key(api_client):
    other_client = api_key_client(UserFactory(membership__account__name="Other"))
    _upload(api_client)

    other = _upload(other_client, rows=OTHER_ROWS)

    assert other.status_code == 201
    assert REPLAYED_HEADER not in other
    assert LeadUpload.objects.filter(account__name="Other").count() == 1
    assert LeadUpload.objects.count() == 2


# --- The schema --------------------------------------------------------------------------------

IDEMPOTENT_OPERATIONS = {
    ("post", "/leads/upload/"),
    ("post", "/api/uploads/"),
    ("post", "/score/"),
    ("post", "/api/runs/"),
    ("post", "/api/offers/{id}/score/"),
}


def test_the_schema_documents_the_header_409_and_422_on_the_idempotent_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            idempotent = (method, path) in IDEMPOTENT_OPERATIONS
            assert [p["name"] for p in headers] == ([IDEMPOTENCY_KEY_HEADER] if idempotent else [])
            assert ({"409", "422"} <= set(operation["responses"])) == idempotent, (method, path)
            if idempotent:
                assert not headers[0].get("required", False)
                assert headers[0]["schema"]["maxLength"] == 255


# --- Concurrency, through PostgreSQL -----------------------------------------------------------


def _in_thread(target, results, *args):
    def run():
        try:
            results.append(target(*args))
        finally:
            connection.close()  # each thread has its own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_a_second_request_while_the_first_is_in_flight_is_409(user, monkeypatch):
    import scoring.leads.api.compat

    started, release = threading.Event(), threading.Event()
    real_upload = scoring.leads.api.compat.upload_from_request

    def slow_upload(request):
        started.set()
        assert release.wait(10)
        return real_upload(request)

    monkeypatch.setattr(scoring.leads.api.compat, "upload_from_request", slow_upload)
    client = api_key_client(user)
    results = []
    first = _in_thread(_upload, results, client)
    assert started.wait(10)

    second = _upload(client)
    release.set()
    first.join(10)

    assert second.status_code == 409
    assert second.json() == {"error": IDEMPOTENCY_IN_PROGRESS_ERROR}
    assert [r.status_code for r in results] == [201]
    assert LeadUpload.objects.count() == 1
    assert _upload(client)[REPLAYED_HEADER] == "true"


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_two_racing_requests_with_one_key_store_one_upload(user):
    client = api_key_client(user)
    barrier = threading.Barrier(2)
    results = []

    def upload():
        barrier.wait(10)
        return _upload(client)

    threads = [_in_thread(upload, results) for _ in range(2)]
    for thread in threads:
        thread.join(30)

    answers = sorted((r.status_code, r.has_header(REPLAYED_HEADER)) for r in results)
    # The second either came while the first was in flight, or after it had been answered.
    assert answers in ([(201, False), (201, True)], [(201, False), (409, False)])
    assert (LeadUpload.objects.count(), Lead.objects.count()) == (1, 1)
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_a_key_on_a_path_longer_than_the_stored_endpoint_is_answered_not_a_500(api_client):
    # PostgreSQL enforces the column's length: the path must be made to fit.
    url = f"/api/offers/{'9' * 400}/score/"

    response = api_client.post(url, {}, format="json", headers={IDEMPOTENCY_KEY_HEADER: KEY})

    assert response.status_code == 404
    assert not IdempotencyRecord.objects.exists()  # a failed request frees its key
