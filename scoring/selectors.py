"""Reads, always scoped to one account. Views, admin actions and commands query through
these, so another account's object is simply not found (a 404, never a 403)."""

from django.db.models import OuterRef, QuerySet, Subquery

from scoring.exceptions import NotFound
from scoring.models import (
    Account,
    AiStatus,
    AuditEvent,
    Bot,
    ConversationGrade,
    Lead,
    LeadUpload,
    Offer,
    Score,
    ScoringRun,
)

NO_OFFER_ERROR = "No product offer found. Please create an offer first."
OFFER_NOT_FOUND_ERROR = "Product offer {offer_id} not found."
UPLOAD_NOT_FOUND_ERROR = "Upload {upload_id} not found."


def offers_for_account(*, account: Account) -> QuerySet[Offer]:
    return Offer.objects.filter(account=account)


def uploads_for_account(*, account: Account) -> QuerySet[LeadUpload]:
    return LeadUpload.objects.filter(account=account)


def upload_for_account(*, account: Account, upload_id: int) -> LeadUpload:
    try:
        return uploads_for_account(account=account).get(pk=upload_id)
    except LeadUpload.DoesNotExist:
        raise NotFound(UPLOAD_NOT_FOUND_ERROR.format(upload_id=upload_id)) from None


def leads_for_account(*, account: Account) -> QuerySet[Lead]:
    return Lead.objects.filter(account=account)


def scores_for_account(*, account: Account) -> QuerySet[Score]:
    return Score.objects.filter(account=account).select_related("lead", "offer")


def runs_for_account(*, account: Account) -> QuerySet[ScoringRun]:
    return ScoringRun.objects.filter(account=account).select_related("offer")


def bots_for_account(*, account: Account) -> QuerySet[Bot]:
    return Bot.objects.filter(account=account)


def grades_for_account(*, account: Account) -> QuerySet[ConversationGrade]:
    return ConversationGrade.objects.filter(account=account).select_related("bot")


def leads_for_run(run: ScoringRun) -> QuerySet[Lead]:
    """The leads a run scores: its account's, narrowed by its lead filter."""
    leads = leads_for_account(account=run.account)
    if "upload" in run.lead_filter:
        leads = leads.filter(upload_id=run.lead_filter["upload"])
    if "industry" in run.lead_filter:
        leads = leads.filter(industry__iexact=run.lead_filter["industry"])
    return leads


def run_failures(run: ScoringRun) -> list[dict]:
    """The leads of a run whose AI call failed in it: [{"lead": id, "error": text}]."""
    failed = Score.objects.filter(
        offer_id=run.offer_id,
        lead__in=leads_for_run(run),
        ai_status=AiStatus.FAILED,
        scored_at__gte=run.started_at or run.created_at,
    )
    rows = failed.order_by("lead_id").values_list("lead_id", "ai_error")
    return [{"lead": lead, "error": error} for lead, error in rows]


def audit_events_for_account(*, account: Account) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(account=account).select_related("user")


def offer_for_scoring(*, account: Account, offer_id: int | None = None) -> Offer:
    """The account's offer with this id, or its latest offer when no id is given."""
    offers = offers_for_account(account=account)
    if offer_id is None:
        offer = offers.order_by("-created_at", "-id").first()
        if offer is None:
            raise NotFound(NO_OFFER_ERROR)
        return offer
    try:
        return offers.get(pk=offer_id)
    except Offer.DoesNotExist:
        raise NotFound(OFFER_NOT_FOUND_ERROR.format(offer_id=offer_id)) from None


def scores_for_offer(*, offer: Offer) -> QuerySet[Score]:
    return Score.objects.filter(offer=offer).select_related("lead", "offer")


def leads_with_latest_score(*, account: Account, offer: Offer | None = None) -> QuerySet[Lead]:
    """The account's leads, in upload order, each with its most recent score (for offer, if
    given) as `latest_score`, `latest_intent` and `latest_reasoning`; None where it has none."""
    latest = Score.objects.filter(lead=OuterRef("pk"))
    if offer is not None:
        latest = latest.filter(offer=offer)
    latest = latest.order_by("-scored_at", "-id")
    return (
        leads_for_account(account=account)
        .order_by("id")
        .annotate(
            latest_score=Subquery(latest.values("score")[:1]),
            latest_intent=Subquery(latest.values("intent")[:1]),
            latest_reasoning=Subquery(latest.values("reasoning")[:1]),
        )
    )
