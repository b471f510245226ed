"""Retrying an HTTP call, for the LLM providers and the webhooks alike: which answers are
worth another try (408, 429, 5xx; timeouts and connection errors), how long to wait (the
server's Retry-After, capped, else the caller's backoff), and the error text to keep."""

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

MAX_ERROR_DETAIL_CHARS = 300
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
