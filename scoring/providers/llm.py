"""What the remote providers share: the prompt, the answer schema, errors and retries.

A remote provider implements only `complete(prompt) -> LlmReply`: one call through its SDK,
with the SDK's errors turned into `ProviderError`. `RemoteProvider.assess` (a lead against
an offer) and `RemoteProvider.grade_conversation` (a visitor's chat) build their prompt,
retry what is worth retrying (429, 5xx, timeouts, connection errors: exponential backoff
with jitter, honouring Retry-After), and check the answer against its schema: an answer off
the schema is an error, never a silent "Low" or 0.
"""

import json
import logging
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from scoring.buyer_profile import (
    DEPARTMENT_KEYS,
    INDUSTRY_KEYS,
    PROFILE_METADATA,
    SOURCE_INFERRED,
    BuyerProfile,
)
from scoring.conversation_schemas import GradingTask
from scoring.models import Intent
from scoring.providers.base import (
    ConversationAssessment,
    IntentAssessment,
    LeadProfile,
    OfferProfile,
)

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
PROMPT_PATH = PROMPTS_DIR / "lead_intent.yaml"
CONVERSATION_PROMPT_PATH = PROMPTS_DIR / "conversation_grading.yaml"
BUYER_PROFILE_PROMPT_PATH = PROMPTS_DIR / "buyer_profile.yaml"
MALFORMED_ANSWER_ERROR = "{provider} answered with something other than the expected JSON: {detail}"
MAX_REASONING_CHARS = 600
MAX_FACTORS = 8
# A conversation grade's lists (signals, interests, actions), each item, and its reasoning.
MAX_CONVERSATION_ITEMS = 10
MAX_CONVERSATION_ITEM_CHARS = 300
MAX_CONVERSATION_REASONING_CHARS = 1000


class LeadIntentAnswer(BaseModel):
    """The JSON every provider is asked for (and held to)."""

    model_config = ConfigDict(extra="forbid")

    intent: Literal["High", "Medium", "Low"]
    reasoning: str = Field(min_length=1, max_length=MAX_REASONING_CHARS)
    factors: list[str] = Field(default_factory=list, max_length=MAX_FACTORS)


ConversationItem = Annotated[str, StringConstraints(max_length=MAX_CONVERSATION_ITEM_CHARS)]


class ConversationGradeAnswer(BaseModel):
    """The JSON a provider is asked for when it grades a conversation (and held to)."""

    # The docstring goes to the model as the schema's description; this comment does not.
    # Any integer score is accepted, none refused for its range: conversation_grade clamps
    # it to 0–100 and derives the category from the clamped score.
    model_config = ConfigDict(extra="forbid")

    lead_score: int = Field(strict=True)  # 85, not "85", 85.5 or true
    intent_signals: list[ConversationItem] = Field(
        default_factory=list, max_length=MAX_CONVERSATION_ITEMS
    )
    key_interests: list[ConversationItem] = Field(
        default_factory=list, max_length=MAX_CONVERSATION_ITEMS
    )
    recommended_actions: list[ConversationItem] = Field(
        default_factory=list, max_length=MAX_CONVERSATION_ITEMS
    )
    reasoning: str = Field(min_length=1, max_length=MAX_CONVERSATION_REASONING_CHARS)


Department = Literal[DEPARTMENT_KEYS]
Industry = Literal[INDUSTRY_KEYS]


class BuyerProfileAnswer(BaseModel):
    """Who buys an offer, as a provider reads it from the offer's text (and held to)."""

    model_config = ConfigDict(extra="forbid")

    primary_departments: list[Department] = Field(min_length=1, max_length=len(DEPARTMENT_KEYS))
    secondary_departments: list[Department] = Field(max_length=len(DEPARTMENT_KEYS))
    min_seniority: Literal["c_level", "vp", "director", "manager", "individual"]
    target_industries: list[Industry] = Field(max_length=len(INDUSTRY_KEYS))
    vertical: bool
    competitors: list[Annotated[str, StringConstraints(max_length=255)]] = Field(max_length=20)


def strict_json_schema(model: type[BaseModel]) -> dict:
    """The model's JSON schema in the strict form structured-output modes accept."""
    schema = model.model_json_schema()
    schema["required"] = list(schema["properties"])  # strict modes want every key required
    for prop in schema["properties"].values():
        prop.pop("default", None)
    return schema


def answer_json_schema() -> dict:
    """The lead-intent answer's JSON schema, in strict form."""
    return strict_json_schema(LeadIntentAnswer)


def conversation_answer_json_schema() -> dict:
    """The conversation grade's JSON schema, in strict form."""
    return strict_json_schema(ConversationGradeAnswer)


class ProviderError(Exception):
    """A provider call that failed. `retryable` for what may work a moment later."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


# --- What the SDK-backed providers share to turn their SDK's errors into ProviderErrors ---
MISSING_SETTING_ERROR = "{setting} is not set: the {provider} provider needs it."
STATUS_ERROR = "{provider} answered HTTP {status}: {detail}"
TIMEOUT_ERROR = "{provider} did not answer within {timeout:g}s."
CONNECTION_ERROR = "{provider} could not be reached: {detail}"
UNEXPECTED_ERROR = "{provider} failed: {detail}"
MAX_ERROR_DETAIL_CHARS = 300
RETRYABLE_STATUSES = frozenset({408, 429})


def required_setting(setting: str, provider: str) -> str:
    """The setting's value, stripped; ImproperlyConfigured when it is empty."""
    value = (getattr(settings, setting, "") or "").strip()
    if not value:
        raise ImproperlyConfigured(MISSING_SETTING_ERROR.format(setting=setting, provider=provider))
    return value


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
    """The provider's own error text from an error body (its "error"/"message", whatever
    the nesting), on one line, shortened, with any secret (the API key) masked."""
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
    timeouts, transport_errors = [TimeoutError], [ConnectionError]
    for module_name in ("httpx", "httpx2"):  # only an imported one can have raised
        if (module := sys.modules.get(module_name)) is not None:
            timeouts.append(module.TimeoutException)
            transport_errors.append(module.TransportError)
    if isinstance(error, tuple(timeouts)):
        return timeout_error(provider, timeout)
    if isinstance(error, tuple(transport_errors)):
        return connection_error(provider, error)
    if isinstance(error, ValueError):
        return unexpected_error(provider, error)
    return None


def without_length_limits(schema):
    """The schema without string length limits (minLength/maxLength), which some
    structured-output modes reject; parse_answer still enforces them."""
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


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user: str
    schema: dict
    schema_name: str = "lead_intent"  # how the schema is named where a provider names it


@dataclass(frozen=True)
class LlmReply:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None


@cache
def _load_template(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _prompt_template() -> dict:
    return _load_template(PROMPT_PATH)


def prompt_version() -> str:
    return _prompt_template()["version"]


def conversation_prompt_version() -> str:
    return _load_template(CONVERSATION_PROMPT_PATH)["version"]


def _as_data(value) -> str:
    # JSON with < and > escaped: nothing in a lead's or a visitor's text can close the tag
    # (<lead_data>, <conversation_data>) it is given in.
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _offer_text_data(offer: OfferProfile) -> dict:
    return {
        "name": offer.name,
        "value_props": list(offer.value_props),
        "ideal_use_cases": list(offer.ideal_use_cases),
    }


def build_prompt(*, lead: LeadProfile, offer: OfferProfile) -> Prompt:
    template = _prompt_template()
    profile = offer.buyer_profile.as_dict()
    for key in PROFILE_METADATA:  # how the profile was made is not the model's business
        profile.pop(key, None)
    offer_data = {**_offer_text_data(offer), "buyer_profile": profile}
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


def buyer_profile_prompt_version() -> str:
    return _load_template(BUYER_PROFILE_PROMPT_PATH)["version"]


def build_buyer_profile_prompt(*, offer: OfferProfile) -> Prompt:
    template = _load_template(BUYER_PROFILE_PROMPT_PATH)
    return Prompt(
        version=template["version"],
        system=template["system"],
        user=template["user"].format(offer_json=_as_data(_offer_text_data(offer))),
        schema=strict_json_schema(BuyerProfileAnswer),
        schema_name="buyer_profile",
    )


def build_conversation_prompt(*, task: GradingTask) -> Prompt:
    """The transcript (every message, the bot's too, for context) and the number of the
    visitor's messages, which the engagement criterion counts."""
    template = _load_template(CONVERSATION_PROMPT_PATH)
    conversation_data = {
        "visitor_message_count": len(task.visitor_messages),
        "messages": [{"role": m.role, "content": m.content} for m in task.conversation_history],
    }
    return Prompt(
        version=template["version"],
        system=template["system"],
        user=template["user"].format(conversation_json=_as_data(conversation_data)),
        schema=conversation_answer_json_schema(),
        schema_name="conversation_grade",
    )


def _validated(provider: str, model: type[BaseModel], reply: LlmReply):
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


def _cleaned(items: list[str]) -> tuple[str, ...]:
    return tuple(item.strip() for item in items if item.strip())


def parse_answer(provider: str, reply: LlmReply) -> IntentAssessment:
    answer = _validated(provider, LeadIntentAnswer, reply)
    return IntentAssessment(
        label=Intent(answer.intent),
        reasoning=answer.reasoning.strip(),
        factors=_cleaned(answer.factors),
        input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
    )


def parse_buyer_profile_answer(provider: str, reply: LlmReply, *, inferred_by: str) -> BuyerProfile:
    answer = _validated(provider, BuyerProfileAnswer, reply)
    primary = tuple(dict.fromkeys(answer.primary_departments))
    return BuyerProfile(
        primary_departments=primary,
        secondary_departments=tuple(
            key for key in dict.fromkeys(answer.secondary_departments) if key not in primary
        ),
        min_seniority=answer.min_seniority,
        target_industries=tuple(dict.fromkeys(answer.target_industries)),
        vertical=answer.vertical and bool(answer.target_industries),
        competitors=_cleaned(answer.competitors),
        source=SOURCE_INFERRED,
        inferred_by=inferred_by,
    )


def parse_conversation_answer(
    provider: str, reply: LlmReply, *, model_used: str | None = None
) -> ConversationAssessment:
    """The grade as the provider gave it, its score unclamped (conversation_grade clamps);
    `model_used` defaults to the provider's name."""
    answer = _validated(provider, ConversationGradeAnswer, reply)
    return ConversationAssessment(
        score=answer.lead_score,
        intent_signals=_cleaned(answer.intent_signals),
        key_interests=_cleaned(answer.key_interests),
        recommended_actions=_cleaned(answer.recommended_actions),
        reasoning=answer.reasoning.strip(),
        model_used=model_used or provider,
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

    def complete_with_retries(self, prompt: Prompt) -> LlmReply:
        """`complete`, retried while it fails with a retryable ProviderError (at most
        LLM_MAX_RETRIES more times); the last error when none succeeds."""
        retrying = Retrying(
            stop=stop_after_attempt(settings.LLM_MAX_RETRIES + 1),
            wait=_wait,
            retry=retry_if_exception(_is_retryable),
            before_sleep=_log_retry,
            reraise=True,
        )
        return retrying(self.complete, prompt)

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        reply = self.complete_with_retries(build_prompt(lead=lead, offer=offer))
        return parse_answer(self.name, reply)

    def infer_buyer_profile(self, *, offer: OfferProfile) -> BuyerProfile:
        # One attempt, no retries: it runs while the user waits for the offer, and the local
        # vocabulary stands in when it fails.
        prompt = build_buyer_profile_prompt(offer=offer)
        reply = self.complete(prompt)
        inferred_by = f"{self.name}/{self.model}/{prompt.version}"
        return parse_buyer_profile_answer(self.name, reply, inferred_by=inferred_by)

    def grade_conversation(self, *, task: GradingTask) -> ConversationAssessment:
        reply = self.complete_with_retries(build_conversation_prompt(task=task))
        return parse_conversation_answer(self.name, reply, model_used=f"{self.name}/{self.model}")
