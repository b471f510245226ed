"""What the SDK-backed providers share: their errors, retries and structured answers.

A remote provider implements only `complete(prompt) -> LlmReply`: one call through its SDK,
with the SDK's errors turned into `ProviderError`. `complete_with_retries` retries what is
worth retrying (429, 5xx, timeouts, connection errors: exponential backoff with jitter,
honouring Retry-After). The domains hold an answer to its schema with `parse_reply`: an
answer off the schema is an error, never a silent default.
"""

import json
import logging
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState

from scoring.core.http_retry import (
    CONNECTION,
    TIMEOUT,
    error_detail,
    exponential_backoff,
    is_retryable_status,
    network_failure,
    parse_retry_after,
    retrying,
)
from scoring.llm.base import LlmReply, Prompt, ProviderError

logger = logging.getLogger(__name__)

MALFORMED_ANSWER_ERROR = "{provider} answered with something other than the expected JSON: {detail}"
MISSING_SETTING_ERROR = "{setting} is not set: the {provider} provider needs it."
STATUS_ERROR = "{provider} answered HTTP {status}: {detail}"
TIMEOUT_ERROR = "{provider} did not answer within {timeout:g}s."
CONNECTION_ERROR = "{provider} could not be reached: {detail}"
UNEXPECTED_ERROR = "{provider} failed: {detail}"


def required_setting(setting: str, provider: str) -> str:
    """The setting's value, stripped; ImproperlyConfigured when it is empty."""
    value = (getattr(settings, setting, "") or "").strip()
    if not value:
        raise ImproperlyConfigured(MISSING_SETTING_ERROR.format(setting=setting, provider=provider))
    return value


def status_error(
    provider: str, status: int, body, *, retry_after: str | None = None, secrets=()
) -> ProviderError:
    """A ProviderError for an HTTP error answer: retryable for 408, 429 and 5xx, with the
    Retry-After header (when present) as the wait."""
    status = int(status or 0)
    return ProviderError(
        STATUS_ERROR.format(provider=provider, status=status, detail=error_detail(body, secrets)),
        retryable=is_retryable_status(status),
        retry_after=parse_retry_after(retry_after),
    )


def timeout_error(provider: str, timeout: float) -> ProviderError:
    return ProviderError(TIMEOUT_ERROR.format(provider=provider, timeout=timeout), retryable=True)


def connection_error(provider: str, error: BaseException) -> ProviderError:
    detail = error_detail(str(error) or type(error).__name__)
    return ProviderError(CONNECTION_ERROR.format(provider=provider, detail=detail), retryable=True)


def unexpected_error(provider: str, error: BaseException) -> ProviderError:
    """Anything else the SDK raised: not worth retrying."""
    detail = error_detail(str(error) or type(error).__name__)
    return ProviderError(UNEXPECTED_ERROR.format(provider=provider, detail=detail))


def failure_from(provider: str, error: BaseException, timeout: float) -> ProviderError | None:
    """The ProviderError for what an SDK raised besides its HTTP status errors: retryable
    for a timeout or a connection failure from httpx or httpx2 (the transports under the
    SDKs) or from Python; not retryable for an answer it could not read (a ValueError, e.g.
    a body that is not JSON). None for anything else, which is a bug to surface as it is."""
    failure = network_failure(error)
    if failure == TIMEOUT:
        return timeout_error(provider, timeout)
    if failure == CONNECTION:
        return connection_error(provider, error)
    if isinstance(error, ValueError):
        return unexpected_error(provider, error)
    return None


def without_length_limits(schema):
    """The schema without string length limits (minLength/maxLength), which some
    structured-output modes reject; parse_reply still enforces them."""
    if isinstance(schema, list):
        return [without_length_limits(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept = {}
    for key, value in schema.items():
        if key == "properties":  # property names are not keywords
            kept[key] = {name: without_length_limits(sub) for name, sub in value.items()}
        elif key not in ("minLength", "maxLength"):
            kept[key] = without_length_limits(value)
    return kept


def strict_json_schema(model: type[BaseModel]) -> dict:
    """The model's JSON schema in the strict form structured-output modes accept."""
    schema = model.model_json_schema()
    schema["required"] = list(schema["properties"])  # strict modes want every key required
    for prop in schema["properties"].values():
        prop.pop("default", None)
    return schema


@cache
def load_prompt_template(path: Path) -> dict:
    """A prompt's YAML file (version, system, user), read once."""
    return yaml.safe_load(path.read_text())


def as_prompt_data(value) -> str:
    # JSON with < and > escaped: nothing in a lead's or a visitor's text can close the tag
    # (<lead_data>, <conversation_data>) it is given in.
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def parse_reply(provider: str, model: type[BaseModel], reply: LlmReply):
    """The reply as `model`; a ProviderError naming every field that is off the schema."""
    try:
        return model.model_validate_json(reply.text)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()
        )
        raise ProviderError(
            MALFORMED_ANSWER_ERROR.format(provider=provider, detail=detail)
        ) from exc


def cleaned(items: list[str]) -> tuple[str, ...]:
    """The answer's list items, stripped, empty ones dropped."""
    return tuple(item.strip() for item in items if item.strip())


def _log_retry(retry_state: RetryCallState) -> None:
    logger.warning(
        "LLM call failed (attempt %d): %s; retrying",
        retry_state.attempt_number,
        retry_state.outcome.exception(),
    )


class RemoteProvider:
    """Base of the SDK-backed providers; subclasses set name and model and implement
    `complete`."""

    name: str
    model: str
    remote = True

    def complete(self, prompt: Prompt) -> LlmReply:
        raise NotImplementedError

    def complete_with_retries(self, prompt: Prompt) -> LlmReply:
        """`complete`, retried while it fails with a retryable ProviderError (at most
        LLM_MAX_RETRIES more times); the last error when none succeeds."""
        retries = retrying(
            attempts=settings.LLM_MAX_RETRIES + 1,
            backoff=exponential_backoff(
                initial=settings.LLM_RETRY_BASE_DELAY,
                maximum=settings.LLM_RETRY_MAX_WAIT,
                jitter=settings.LLM_RETRY_BASE_DELAY,
            ),
            max_wait=settings.LLM_RETRY_MAX_WAIT,
            before_sleep=_log_retry,
        )
        return retries(self.complete, prompt)
