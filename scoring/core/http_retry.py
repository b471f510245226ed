"""Retrying an HTTP call, for the LLM providers and the webhooks alike: which answers are
worth another try (408, 429, 5xx; timeouts and connection errors), how long to wait (the
server's Retry-After, capped, else the caller's backoff), and the error text to keep."""

import json
import math
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

MAX_ERROR_DETAIL_CHARS = 300
TIMEOUT = "timeout"
CONNECTION = "connection"
RETRYABLE_STATUSES = frozenset({408, 429})


class RetryableFailure(Exception):
    """A failed call. `retryable` for what may work a moment later; `retry_after`, the
    seconds the server asked us to wait, if it did."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


def is_retryable_status(status: int) -> bool:
    """408, 429 and 5xx may work a moment later; other 4xx will not."""
    return status in RETRYABLE_STATUSES or 500 <= status <= 599


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds (a float is accepted) or an
    HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def error_detail(body, secrets=()) -> str:
    """The server's own error text from an error body (its "error"/"message", whatever
    the nesting), on one line, shortened, with any secret (an API key) masked."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            body = inner.get("message") or inner
        else:
            body = inner
        if isinstance(body, dict):
            body = body.get("message") or json.dumps(body)
    text = " ".join(str(body or "").split())
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    if len(text) > MAX_ERROR_DETAIL_CHARS:
        text = text[: MAX_ERROR_DETAIL_CHARS - 1] + "…"
    return text or "no detail"


def network_failure(error: BaseException) -> str | None:
    """TIMEOUT or CONNECTION for a failure of the network under an HTTP call, from httpx or
    httpx2 (the transports under our client and the SDKs) or from Python; None for anything
    else (an answer, or a bug)."""
    timeouts, transport_errors = [TimeoutError], [ConnectionError]
    for module_name in ("httpx", "httpx2"):  # only an imported one can have raised
        if (module := sys.modules.get(module_name)) is not None:
            timeouts.append(module.TimeoutException)
            transport_errors.append(module.TransportError)
    if isinstance(error, tuple(timeouts)):
        return TIMEOUT
    if isinstance(error, tuple(transport_errors)):
        return CONNECTION
    return None


def exponential_backoff(*, initial: float, maximum: float, jitter: float = 0.0):
    """Waits of initial, 2 x initial, 4 x initial... (at most `maximum`), each with up to
    `jitter` seconds added at random so that callers failing together come back apart."""
    return wait_exponential_jitter(initial=initial, max=maximum, jitter=jitter)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, RetryableFailure) and error.retryable


def retrying(
    *,
    attempts: int,
    backoff: Callable[[RetryCallState], float],
    max_wait: float,
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> Retrying:
    """Calls retried while they raise a retryable RetryableFailure, `attempts` tries in all;
    between tries the server's Retry-After (at most `max_wait`) or else `backoff` (a
    tenacity wait). The last error is raised when no try succeeds."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception()
        if isinstance(error, RetryableFailure) and error.retry_after is not None:
            return min(error.retry_after, max_wait)
        return backoff(state)

    return Retrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait,
        retry=retry_if_exception(_is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
