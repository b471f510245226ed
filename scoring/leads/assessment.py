"""A lead's intent for an offer, as a lead assessor judges it and says why.

An assessor sees plain data (no ORM objects), so it runs in a thread, a worker or a test
without a database. The remote one sends the lead prompt to the configured model and holds
its answer to the schema; for `local`, the offline matcher (scoring/leads/matcher.py)
judges. `assessors.assessor_from_settings()` picks one. The same goes for reading an
offer's buyer profile.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from scoring.leads.buyer_profile import (
    DEPARTMENT_KEYS,
    INDUSTRY_KEYS,
    PROFILE_METADATA,
    SOURCE_INFERRED,
    BuyerProfile,
    buyer_profile_infer,
)
from scoring.leads.models import Intent
from scoring.llm.base import LanguageModel, LlmReply, Prompt
from scoring.llm.remote import (
    as_prompt_data,
    cleaned,
    load_prompt_template,
    parse_reply,
    strict_json_schema,
)

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PROMPT_PATH = PROMPTS_DIR / "lead_intent.yaml"
BUYER_PROFILE_PROMPT_PATH = PROMPTS_DIR / "buyer_profile.yaml"
MAX_REASONING_CHARS = 600
MAX_FACTORS = 8


@dataclass(frozen=True)
class LeadProfile:
    name: str = ""
    role: str = ""
    company: str = ""
    industry: str = ""
    location: str = ""
    linkedin_bio: str = ""

    @classmethod
    def from_lead(cls, lead) -> "LeadProfile":
        return cls(
            name=lead.name,
            role=lead.role,
            company=lead.company,
            industry=lead.industry,
            location=lead.location,
            linkedin_bio=lead.linkedin_bio,
        )


@dataclass(frozen=True)
class OfferProfile:
    name: str
    value_props: tuple[str, ...] = ()
    ideal_use_cases: tuple[str, ...] = ()
    # Who buys it; inferred from the three fields above when not given.
    buyer_profile: BuyerProfile | None = None
    rule_set: str = "fit"

    def __post_init__(self):
        if self.buyer_profile is None:
            inferred = buyer_profile_infer(
                name=self.name, value_props=self.value_props, ideal_use_cases=self.ideal_use_cases
            )
            object.__setattr__(self, "buyer_profile", inferred)

    @classmethod
    def from_offer(cls, offer, *, default_rule_set: str = "fit") -> "OfferProfile":
        """The offer as providers see it; `default_rule_set` for an offer that sets none
        (the caller passes the SCORING_RULE_SET setting)."""
        profile = BuyerProfile.from_dict(offer.buyer_profile) if offer.buyer_profile else None
        return cls(
            name=offer.name,
            value_props=tuple(offer.value_props),
            ideal_use_cases=tuple(offer.ideal_use_cases),
            buyer_profile=profile,
            rule_set=offer.rule_set or default_rule_set,
        )


@dataclass(frozen=True)
class IntentAssessment:
    label: Intent
    reasoning: str
    factors: tuple[str, ...] = field(default_factory=tuple)
    # As the provider's SDK reports them; None where it reports nothing.
    input_tokens: int | None = None
    output_tokens: int | None = None


class LeadAssessor(Protocol):
    name: str
    model: str
    # True for assessors that call a remote LLM: their calls run concurrently, are cached,
    # retried and capped per run (LLM_MAX_CALLS_PER_RUN). The local matcher is not.
    remote: bool

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        """Raise scoring.llm.base.ProviderError when the provider fails."""
        ...

    def infer_buyer_profile(self, *, offer: OfferProfile) -> BuyerProfile:
        """Who buys the offer, read from its name, value propositions and use cases (its
        buyer_profile is ignored); raise ProviderError when the provider fails."""
        ...


class LeadIntentAnswer(BaseModel):
    """The JSON every provider is asked for (and held to)."""

    model_config = ConfigDict(extra="forbid")

    intent: Literal["High", "Medium", "Low"]
    reasoning: str = Field(min_length=1, max_length=MAX_REASONING_CHARS)
    factors: list[str] = Field(default_factory=list, max_length=MAX_FACTORS)


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


def answer_json_schema() -> dict:
    """The lead-intent answer's JSON schema, in strict form."""
    return strict_json_schema(LeadIntentAnswer)


def _prompt_template() -> dict:
    return load_prompt_template(PROMPT_PATH)


def prompt_version() -> str:
    return _prompt_template()["version"]


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
    user = template["user"].format(
        offer_json=as_prompt_data(offer_data), lead_json=as_prompt_data(lead_data)
    )
    return Prompt(
        version=template["version"],
        system=template["system"],
        user=user,
        schema=answer_json_schema(),
        schema_name="lead_intent",
    )


def build_buyer_profile_prompt(*, offer: OfferProfile) -> Prompt:
    template = load_prompt_template(BUYER_PROFILE_PROMPT_PATH)
    return Prompt(
        version=template["version"],
        system=template["system"],
        user=template["user"].format(offer_json=as_prompt_data(_offer_text_data(offer))),
        schema=strict_json_schema(BuyerProfileAnswer),
        schema_name="buyer_profile",
    )


def parse_answer(provider: str, reply: LlmReply) -> IntentAssessment:
    answer = parse_reply(provider, LeadIntentAnswer, reply)
    return IntentAssessment(
        label=Intent(answer.intent),
        reasoning=answer.reasoning.strip(),
        factors=cleaned(answer.factors),
        input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
    )


def parse_buyer_profile_answer(provider: str, reply: LlmReply, *, inferred_by: str) -> BuyerProfile:
    answer = parse_reply(provider, BuyerProfileAnswer, reply)
    primary = tuple(dict.fromkeys(answer.primary_departments))
    return BuyerProfile(
        primary_departments=primary,
        secondary_departments=tuple(
            key for key in dict.fromkeys(answer.secondary_departments) if key not in primary
        ),
        min_seniority=answer.min_seniority,
        target_industries=tuple(dict.fromkeys(answer.target_industries)),
        vertical=answer.vertical and bool(answer.target_industries),
        competitors=cleaned(answer.competitors),
        source=SOURCE_INFERRED,
        inferred_by=inferred_by,
    )


class RemoteAssessor:
    """A remote model judging leads by the lead prompt (with retries) and reading buyer
    profiles by the buyer-profile prompt (one attempt)."""

    remote = True

    def __init__(self, language_model: LanguageModel):
        self.language_model = language_model
        self.name = language_model.name
        self.model = language_model.model

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        reply = self.language_model.complete_with_retries(build_prompt(lead=lead, offer=offer))
        return parse_answer(self.name, reply)

    def infer_buyer_profile(self, *, offer: OfferProfile) -> BuyerProfile:
        # One attempt, no retries: it runs while the user waits for the offer, and the local
        # vocabulary stands in when it fails.
        prompt = build_buyer_profile_prompt(offer=offer)
        reply = self.language_model.complete(prompt)
        inferred_by = f"{self.name}/{self.model}/{prompt.version}"
        return parse_buyer_profile_answer(self.name, reply, inferred_by=inferred_by)
