import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scoring.exceptions import InvalidInput
from scoring.models import AuditEvent, Lead, Offer, Score
from scoring.providers import IntentProvider, LeadProfile, OfferProfile, provider_from_settings
from scoring.rules import AI_POINTS, intent_for_score, rule_score
from scoring.services.accounts import audit_record

logger = logging.getLogger(__name__)

NO_LEADS_ERROR = "No leads found. Please upload leads first."
# Everything a re-score replaces; lead and offer identify the row.
_SCORE_FIELDS = [
    "rule_score", "role_points", "role_keyword", "industry_points", "industry_keyword",
    "completeness_points", "ai_label", "ai_score", "ai_factors", "score", "intent",
    "reasoning", "provider", "model", "scored_at",
]  # fmt: skip


@dataclass(frozen=True)
class ScoringSummary:
    offer: Offer
    scored: int
    skipped: int
    seconds: float


def _score_build(*, lead: Lead, offer: Offer, offer_profile: OfferProfile,
                     provider: IntentProvider, scored_at) -> Score:  # fmt: skip
    """An unsaved Score: rules and the provider's judgement, combined into one label."""
    rules = rule_score(lead)
    assessment = provider.assess(lead=LeadProfile.from_lead(lead), offer=offer_profile)
    ai_score = AI_POINTS[assessment.label]
    total = rules.total + ai_score
    return Score(
        account_id=offer.account_id,
        lead=lead,
        offer=offer,
        rule_score=rules.total,
        role_points=rules.role_points,
        role_keyword=rules.role_keyword,
        industry_points=rules.industry_points,
        industry_keyword=rules.industry_keyword,
        completeness_points=rules.completeness_points,
        ai_label=assessment.label,
        ai_score=ai_score,
        ai_factors=list(assessment.factors),
        score=total,
        intent=intent_for_score(total),
        reasoning=assessment.reasoning,
        provider=provider.name,
        model=provider.model,
        scored_at=scored_at,
    )


def _scores_upsert(scores: list[Score]) -> None:
    # Keyed by (lead, offer): scoring a lead again replaces its score, never adds a second.
    Score.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["lead", "offer"],
        update_fields=_SCORE_FIELDS,
    )


@transaction.atomic
def leads_score(
    *,
    offer: Offer,
    rescore: bool = False,
    provider: IntentProvider | None = None,
    user=None,
) -> ScoringSummary:
    """Score the offer's account's leads against it; leads already scored for it are kept
    unless rescore."""
    leads = Lead.objects.filter(account_id=offer.account_id)
    if not leads.exists():
        raise InvalidInput(NO_LEADS_ERROR)
    provider = provider or provider_from_settings()
    offer_profile = OfferProfile.from_offer(offer)
    to_score = leads.order_by("id")
    if not rescore:
        to_score = to_score.exclude(scores__offer=offer)
    started, scored_at = time.monotonic(), timezone.now()
    batch_size, last_id, scored = settings.SCORING_BATCH_SIZE, 0, 0
    # Keyset batches rather than one open cursor: each batch's writes change what
    # `exclude(scores__offer=offer)` would return, and memory stays bounded.
    while batch := list(to_score.filter(id__gt=last_id)[:batch_size]):
        _scores_upsert(
            [
                _score_build(
                    lead=lead,
                    offer=offer,
                    offer_profile=offer_profile,
                    provider=provider,
                    scored_at=scored_at,
                )
                for lead in batch
            ]
        )
        scored += len(batch)
        last_id = batch[-1].id
    summary = ScoringSummary(
        offer=offer,
        scored=scored,
        skipped=leads.count() - scored,
        seconds=time.monotonic() - started,
    )
    audit_record(
        account=offer.account,
        user=user,
        action=AuditEvent.Action.SCORING_RUN,
        obj=offer,
        detail={
            "scored": summary.scored,
            "skipped": summary.skipped,
            "rescore": rescore,
            "provider": provider.name,
            "model": provider.model,
        },
    )
    logger.info(
        "scored %d leads against offer %s with %s/%s in %.2fs (%d already scored)",
        summary.scored,
        offer.pk,
        provider.name,
        provider.model,
        summary.seconds,
        summary.skipped,
    )
    return summary
