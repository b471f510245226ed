"""The one small interface every intent provider implements.

A provider judges how likely a lead is to buy an offer and says why. It sees plain data
(no ORM objects), so it can run in a thread, a worker or a test without a database.
"""

from dataclasses import dataclass, field
from typing import Protocol

from scoring.buyer_profile import BuyerProfile, buyer_profile_infer
from scoring.conversation_schemas import GradingTask
from scoring.models import Intent


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


@dataclass(frozen=True)
class ConversationAssessment:
    """A provider's grade of a visitor conversation; the category and engagement level
    follow from the score and the message count, whoever grades."""

    score: int
    intent_signals: tuple[str, ...]
    key_interests: tuple[str, ...]
    recommended_actions: tuple[str, ...]
    reasoning: str
    model_used: str  # e.g. "openai/gpt-4o-mini", or the offline criteria's version
    input_tokens: int | None = None
    output_tokens: int | None = None


class IntentProvider(Protocol):
    name: str
    model: str
    # True for providers that call a remote LLM: their calls run concurrently, are cached,
    # retried and capped per run (LLM_MAX_CALLS_PER_RUN). The local provider is not.
    remote: bool

    def assess(self, *, lead: LeadProfile, offer: OfferProfile) -> IntentAssessment:
        """Raise scoring.providers.llm.ProviderError when the provider fails."""
        ...

    def infer_buyer_profile(self, *, offer: OfferProfile) -> BuyerProfile:
        """Who buys the offer, read from its name, value propositions and use cases (its
        buyer_profile is ignored); raise ProviderError when the provider fails."""
        ...

    def grade_conversation(self, *, task: GradingTask) -> ConversationAssessment:
        """Grade a visitor's chat by the seed's criteria (scoring/conversation_rules.py);
        raise ProviderError when the provider fails."""
        ...
