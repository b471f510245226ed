"""What the remote providers share: the prompt, the answer schema, errors and retries.

A remote provider implements only `complete(prompt) -> LlmReply`: one call through its SDK,
with the SDK's errors turned into `ProviderError`. `RemoteProvider.assess` builds the
prompt, retries what is worth retrying (429, 5xx, timeouts, connection errors: exponential
backoff with jitter, honouring Retry-After), and checks the answer against the schema: an
answer off the schema is an error, never a silent "Low".
"""

import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from scoring.models import Intent
from scoring.providers.base import IntentAssessment, LeadProfile, OfferProfile

logger = logging.getLogger(__name__)

PROMPT_PATH = Path(__file__).resolve().parent.parent / "prompts" / "lead_intent.yaml"
MALFORMED_ANSWER_ERROR = "{provider} answered with something other than the expected JSON: {detail}"
MAX_REASONING_CHARS = 600
MAX_FACTORS = 8


class LeadIntentAnswer(BaseModel):
    """The JSON every provider is asked for (and held to)."""

    model_config = ConfigDict(extra="forbid")

    intent: Literal["High", "Medium", "Low"]
    reasoning: str = Field(min_length=1, max_length=MAX_REASONING_CHARS)
    factors: list[str] = Field(default_factory=list, max_length=MAX_FACTORS)


def answer_json_schema() -> dict:
    """The answer's JSON schema, in the strict form structured-output modes accept."""
    schema = LeadIntentAnswer.model_json_schema()
    schema["required"] = list(schema["properties"])  # strict modes want every key required
    for prop in schema["properties"].values():
        prop.pop("default", None)
    return schema


class ProviderError(Exception):
    """A provider call that failed. `retryable` for what may work a moment later."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user: str
    schema: dict


@dataclass(frozen=True)
class LlmReply:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None


@cache
def _prompt_template() -> dict:
    return yaml.safe_load(PROMPT_PATH.read_text())


def prompt_version() -> str:
    return _prompt_template()["version"]


def _as_data(value) -> str:
    # JSON with < and > escaped: nothing in a lead's text can close the <lead_data> tag.
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def build_prompt(*, lead: LeadProfile, offer: OfferProfile) -> Prompt:
    template = _prompt_template()
    offer_data = {
        "name": offer.name,
        "value_props": list(offer.value_props),
        "ideal_use_cases": list(offer.ideal_use_cases),
    }
    lead_data = {
        "name": lead.name,
        "role": lead.role,
        "company": lead.company,
        "industry": lead.industry,
        "location": lead.location,
        "linkedin_bio": lead.linkedin_bio,
    }
    user = template["user"].format(offer_json=_as_data(offer_data), lead_json=_as_data(lead_data))
    return Prompt(
        version=template["version"],
        system=template["system"],
        user=user,
        schema=answer_json_schema(),
    )


def parse_answer(provider: str, reply: LlmReply) -> IntentAssessment:
    try:
        answer = LeadIntentAnswer.model_validate_json(reply.text)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()
        )
        raise ProviderError(
            MALFORMED_ANSWER_ERROR.format(provider=provider, detail=detail)
        ) from exc
    return IntentAssessment(
        label=Intent(answer.intent),
        reasoning=answer.reasoning.strip(),
        factors=tuple(f.strip() for f in answer.factors if f.strip()),
        input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
    )


def _wait(retry_state: RetryCallState) -> float:
    """Retry-After when the provider gave one, else exponential backoff with jitter."""
    error = retry_state.outcome.exception()
    if isinstance(error, ProviderError) and error.retry_after is not None:
        return min(error.retry_after, settings.LLM_RETRY_MAX_WAIT)
    backoff = wait_exponential_jitter(
        initial=settings.LLM_RETRY_BASE_DELAY,
        max=settings.LLM_RETRY_MAX_WAIT,
        jitter=settings.LLM_RETRY_BASE_DELAY,
    )
    return backoff(retry_state)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


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

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        prompt = build_prompt(lead=lead, offer=offer)
        retrying = Retrying(
            stop=stop_after_attempt(settings.LLM_MAX_RETRIES + 1),
            wait=_wait,
            retry=retry_if_exception(_is_retryable),
            before_sleep=_log_retry,
            reraise=True,
        )
        reply = retrying(self.complete, prompt)
        return parse_answer(self.name, reply)
