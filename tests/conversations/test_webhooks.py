import hashlib
import hmac
import time

import pytest

from scoring.conversations.webhooks import (
    BAD_SIGNATURE_ERROR,
    BAD_TIMESTAMP_ERROR,
    CONNECTION_ERROR,
    HTTP_ERROR,
    ID_HEADER,
    MISSING_SIGNATURE_ERROR,
    SIGNATURE_HEADER,
    TIMEOUT_ERROR,
    TIMESTAMP_HEADER,
    InvalidWebhookSignature,
    longest_delivery_seconds,
    verify_webhook_signature,
    webhook_headers,
    webhook_post,
    webhook_signature,
)
from tests.llm_stub import unused_port
from tests.webhook_receiver import WebhookReceiver

SECRET = "test-webhook-secret"
BODY = b'{"task_id":"t1","lead_score":85}'


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert webhook_signature(BODY, SECRET) == expected


def test_a_correct_signature_verifies():
    verify_webhook_signature(BODY, webhook_signature(BODY, SECRET), SECRET)
    verify_webhook_signature(BODY, webhook_signature(BODY, SECRET).upper(), SECRET)


@pytest.mark.parametrize(
    ("body", "signature", "secret", "error"),
    [
        (BODY, None, SECRET, MISSING_SIGNATURE_ERROR),
        (BODY, "", SECRET, MISSING_SIGNATURE_ERROR),
        (BODY + b" ", webhook_signature(BODY, SECRET), SECRET, BAD_SIGNATURE_ERROR),
        (BODY, webhook_signature(BODY, SECRET), "another-secret", BAD_SIGNATURE_ERROR),
        (BODY, "not-hex-at-all", SECRET, BAD_SIGNATURE_ERROR),
    ],
)
def test_a_wrong_or_missing_signature_is_refused(body, signature, secret, error):
    with pytest.raises(InvalidWebhookSignature) as caught:
        verify_webhook_signature(body, signature, secret)
    assert str(caught.value) == error


def test_the_signature_is_compared_in_constant_time(monkeypatch):
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    verify_webhook_signature(BODY, webhook_signature(BODY, SECRET), SECRET)
    assert compared == [(webhook_signature(BODY, SECRET),) * 2]


def test_a_fresh_timestamp_is_accepted_and_a_stale_one_refused():
    signature = webhook_signature(BODY, SECRET)
    verify_webhook_signature(BODY, signature, SECRET, timestamp=str(int(time.time()) - 10))
    with pytest.raises(InvalidWebhookSignature, match=r"is 601s away from now \(tolerance 300s\)"):
        verify_webhook_signature(BODY, signature, SECRET, timestamp=time.time() - 601)
    with pytest.raises(InvalidWebhookSignature, match="tolerance 30s"):
        verify_webhook_signature(BODY, signature, SECRET, timestamp=time.time() + 60, tolerance=30)


@pytest.mark.parametrize("timestamp", ["yesterday", "nan", "inf", ""])
def test_an_unreadable_timestamp_is_refused(timestamp):
    with pytest.raises(InvalidWebhookSignature) as caught:
        verify_webhook_signature(BODY, webhook_signature(BODY, SECRET), SECRET, timestamp=timestamp)
    assert str(caught.value) in (BAD_TIMESTAMP_ERROR, "") or "away from now" in str(caught.value)


def test_headers_carry_signature_timestamp_and_id():
    headers = webhook_headers(body=BODY, secret=SECRET, webhook_id="t1")
    assert headers[SIGNATURE_HEADER] == webhook_signature(BODY, SECRET)
    assert abs(int(headers[TIMESTAMP_HEADER]) - time.time()) < 5
    assert headers[ID_HEADER] == "t1"
    assert headers["Content-Type"] == "application/json"


def post(url, *, attempts=3, timeout=2.0, backoff=0.01):
    return webhook_post(
        url=url,
        body=BODY,
        secret=SECRET,
        webhook_id="t1",
        attempts=attempts,
        backoff=backoff,
        max_backoff=0.05,
        timeout=timeout,
    )


@pytest.fixture
def receiver():
    with WebhookReceiver(secret=SECRET) as receiver:
        yield receiver


def test_a_2xx_ends_the_delivery_after_one_attempt(receiver):
    outcome = post(receiver.url)
    assert (outcome.delivered, outcome.attempts, outcome.error) == (True, 1, "")
    (request,) = receiver.requests
    assert request.raw == BODY
    assert request.webhook_id == "t1"
    assert receiver.rejected == 0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_retryable_answers_are_retried_until_a_2xx(receiver, status):
    receiver.fail_next([status, status])
    outcome = post(receiver.url)
    assert (outcome.delivered, outcome.attempts) == (True, 3)
    assert [r.status for r in receiver.requests] == [status, status, 200]


def test_the_attempts_are_limited_and_the_last_error_kept(receiver):
    receiver.status = 503
    outcome = post(receiver.url, attempts=3)
    assert (outcome.delivered, outcome.attempts) == (False, 3)
    assert outcome.error == HTTP_ERROR.format(status=503, detail='{"detail": "no"}')
    assert len(receiver.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_other_4xx_answers_are_not_retried(receiver, status):
    receiver.status = status
    outcome = post(receiver.url)
    assert (outcome.delivered, outcome.attempts) == (False, 1)
    assert outcome.error.startswith(f"HTTP {status}: ")


def test_each_attempt_is_signed_so_the_receiver_verifies_every_one(receiver):
    receiver.fail_next([500])
    post(receiver.url)
    assert receiver.rejected == 0
    assert len(receiver.requests) == 2


def test_a_receiver_that_refuses_the_signature_is_not_retried(receiver):
    outcome = webhook_post(
        url=receiver.url, body=BODY, secret="wrong-secret", webhook_id="t1",
        attempts=3, backoff=0.01, max_backoff=0.05, timeout=2,
    )  # fmt: skip
    assert (outcome.delivered, outcome.attempts) == (False, 1)
    assert receiver.rejected == 1


def test_the_waits_grow_exponentially():
    with WebhookReceiver(secret=SECRET) as receiver:
        receiver.status = 500
        started = time.monotonic()
        webhook_post(
            url=receiver.url, body=BODY, secret=SECRET, webhook_id="t1",
            attempts=3, backoff=0.2, max_backoff=10, timeout=2,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert 0.6 <= elapsed < 2.0  # waits of 0.2 then 0.4 seconds


def test_nothing_listening_is_a_connection_error_retried():
    outcome = post(f"http://127.0.0.1:{unused_port()}/hook", attempts=2)
    assert (outcome.delivered, outcome.attempts) == (False, 2)
    assert outcome.error.startswith(CONNECTION_ERROR.split("{")[0])


def test_a_receiver_that_does_not_answer_in_time_times_out(receiver):
    receiver.delay = 1.0
    outcome = post(receiver.url, attempts=1, timeout=0.2)
    assert (outcome.delivered, outcome.attempts) == (False, 1)
    assert outcome.error == TIMEOUT_ERROR.format(timeout=0.2)


def test_the_longest_delivery_counts_every_timeout_and_every_capped_wait():
    assert longest_delivery_seconds(attempts=3, max_backoff=30, timeout=10) == 90
    assert longest_delivery_seconds(attempts=0, max_backoff=30, timeout=10) == 10
