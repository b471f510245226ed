"""Signed webhooks: sending a grading result to the backend, and checking one as a receiver.

The signature is the seed's: `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body with
the shared secret. `X-Webhook-Id` (the task id, also inside the signed body) lets a receiver
drop a delivery it has already processed; `X-Webhook-Timestamp` (Unix seconds) lets it
refuse deliveries that are too old.

A receiver (e.g. the seed's FastAPI backend) needs only `verify_webhook_signature`::

    from scoring.conversations.webhooks import (
        InvalidWebhookSignature,
        verify_webhook_signature,
    )

    try:
        verify_webhook_signature(
            await request.body(),
            request.headers.get("X-Webhook-Signature"),
            WEBHOOK_SECRET,
            timestamp=request.headers.get("X-Webhook-Timestamp"),
        )
    except InvalidWebhookSignature as error:
        raise HTTPException(status_code=401, detail=str(error))
"""

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass
from functools import cache

import httpx

from scoring.core.http_retry import (
    TIMEOUT,
    RetryableFailure,
    error_detail,
    exponential_backoff,
    is_retryable_status,
    network_failure,
    parse_retry_after,
    retrying,
)

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
ID_HEADER = "X-Webhook-Id"
USER_AGENT = "IntentScore-Webhook/1.0"

MISSING_SIGNATURE_ERROR = "The webhook has no signature."
BAD_SIGNATURE_ERROR = "The webhook signature does not match its body."
BAD_TIMESTAMP_ERROR = "The webhook timestamp is not a number of seconds."
STALE_TIMESTAMP_ERROR = (
    "The webhook timestamp is {age:.0f}s away from now (tolerance {tolerance}s)."
)
HTTP_ERROR = "HTTP {status}: {detail}"
TIMEOUT_ERROR = "no answer within {timeout:g}s"
CONNECTION_ERROR = "could not connect: {detail}"


class InvalidWebhookSignature(ValueError):
    """A webhook that must be refused; the message says why."""


def webhook_signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_webhook_signature(
    body: bytes,
    signature: str | None,
    secret: str,
    timestamp: str | int | None = None,
    tolerance: int = 300,
) -> None:
    """Raise InvalidWebhookSignature unless `signature` is the body's HMAC-SHA256 with
    `secret` (compared in constant time) and, when `timestamp` is given, it is within
    `tolerance` seconds of now."""
    if not signature:
        raise InvalidWebhookSignature(MISSING_SIGNATURE_ERROR)
    expected = webhook_signature(body, secret)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise InvalidWebhookSignature(BAD_SIGNATURE_ERROR)
    if timestamp is not None:
        try:
            sent_at = float(timestamp)
        except (TypeError, ValueError):
            sent_at = math.nan
        if not math.isfinite(sent_at):
            raise InvalidWebhookSignature(BAD_TIMESTAMP_ERROR)
        age = abs(time.time() - sent_at)
        if age > tolerance:
            raise InvalidWebhookSignature(
                STALE_TIMESTAMP_ERROR.format(age=age, tolerance=tolerance)
            )


def webhook_headers(*, body: bytes, secret: str, webhook_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: webhook_signature(body, secret),
        TIMESTAMP_HEADER: str(int(time.time())),
        ID_HEADER: webhook_id,
    }


class DeliveryFailed(RetryableFailure):
    """One delivery attempt that failed."""


@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: bool
    attempts: int
    error: str = ""


_client_lock = threading.Lock()


@cache
def _new_client() -> httpx.Client:
    return httpx.Client(follow_redirects=False, headers={"User-Agent": USER_AGENT})


def _client() -> httpx.Client:
    """One pool per process, shared by the consumer's threads (httpx.Client is thread-safe);
    the lock keeps threads starting together from each building one."""
    with _client_lock:
        return _new_client()


def _post_once(url: str, body: bytes, headers: dict, timeout: float) -> None:
    try:
        response = _client().post(url, content=body, headers=headers, timeout=timeout)
    except httpx.TransportError as error:  # timeouts too
        if network_failure(error) == TIMEOUT:
            message = TIMEOUT_ERROR.format(timeout=timeout)
        else:
            message = CONNECTION_ERROR.format(
                detail=error_detail(str(error) or type(error).__name__)
            )
        raise DeliveryFailed(message, retryable=True) from None
    if not response.is_success:
        raise DeliveryFailed(
            HTTP_ERROR.format(status=response.status_code, detail=error_detail(response.text)),
            retryable=is_retryable_status(response.status_code),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )


def webhook_post(
    *,
    url: str,
    body: bytes,
    secret: str,
    webhook_id: str,
    attempts: int,
    backoff: float,
    max_backoff: float,
    timeout: float,
) -> DeliveryOutcome:
    """POST the body, signed, until a 2xx answer or `attempts` tries: waits `backoff`,
    2 x `backoff`... (at most `max_backoff`, or the receiver's Retry-After, capped too)
    between tries. 408, 429, 5xx, timeouts and connection errors are retried; any other
    answer ends it. Each try is signed afresh, so its timestamp is current."""

    def attempt() -> None:
        headers = webhook_headers(body=body, secret=secret, webhook_id=webhook_id)
        _post_once(url, body, headers, timeout)

    retries = retrying(
        attempts=attempts,
        backoff=exponential_backoff(initial=backoff, maximum=max_backoff),
        max_wait=max_backoff,
    )
    try:
        retries(attempt)
    except DeliveryFailed as error:
        return DeliveryOutcome(
            delivered=False, attempts=retries.statistics["attempt_number"], error=str(error)
        )
    return DeliveryOutcome(delivered=True, attempts=retries.statistics["attempt_number"])


def longest_delivery_seconds(*, attempts: int, max_backoff: float, timeout: float) -> float:
    """The longest `webhook_post` can take: every attempt timing out, every wait at its cap."""
    attempts = max(1, attempts)
    return attempts * timeout + (attempts - 1) * max_backoff
