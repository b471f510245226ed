"""Reads. Views, admin and commands query through these, never through ad-hoc querysets."""

from django.db.models import OuterRef, QuerySet, Subquery

from scoring.exceptions import NotFound
from scoring.models import Lead, Offer, Score

NO_OFFER_ERROR = "No product offer found. Please create an offer first."
OFFER_NOT_FOUND_ERROR = "Product offer {offer_id} not found."


def offer_for_scoring(*, offer_id: int | None = None) -> Offer:
    """The offer with this id, or the latest offer when no id is given."""
    if offer_id is None:
        offer = Offer.objects.order_by("-created_at", "-id").first()
        if offer is None:
            raise NotFound(NO_OFFER_ERROR)
        return offer
    try:
        return Offer.objects.get(pk=offer_id)
    except Offer.DoesNotExist:
        raise NotFound(OFFER_NOT_FOUND_ERROR.format(offer_id=offer_id)) from None


def scores_for_offer(*, offer: Offer) -> QuerySet[Score]:
    return Score.objects.filter(offer=offer).select_related("lead", "offer")


def scores_list() -> QuerySet[Score]:
    return Score.objects.select_related("lead", "offer")


def leads_with_latest_score(*, offer: Offer | None = None) -> QuerySet[Lead]:
    """Every lead, in upload order, with its most recent score (for offer, if given) as
    `latest_score`, `latest_intent` and `latest_reasoning`; None where it has none."""
    latest = Score.objects.filter(lead=OuterRef("pk"))
    if offer is not None:
        latest = latest.filter(offer=offer)
    latest = latest.order_by("-scored_at", "-id")
    return Lead.objects.order_by("id").annotate(
        latest_score=Subquery(latest.values("score")[:1]),
        latest_intent=Subquery(latest.values("intent")[:1]),
        latest_reasoning=Subquery(latest.values("reasoning")[:1]),
    )
