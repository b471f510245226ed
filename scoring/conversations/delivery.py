"""Delivering grades to the backend's webhook, once per grade.

Delivering holds the grade for the longest a delivery can take (`delivery_claimed_until`),
so two processes given the same task never both send it; one that died mid-delivery frees
it when that time has passed. A failed delivery stays `failed` until redelivered.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.conversations.models import ConversationGrade, DeliveryStatus
from scoring.conversations.schemas import GradingResult
from scoring.conversations.webhooks import DeliveryOutcome, longest_delivery_seconds, webhook_post
from scoring.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

WEBHOOK_NOT_CONFIGURED_ERROR = (
    "BACKEND_WEBHOOK_URL and BACKEND_WEBHOOK_SECRET must both be set to deliver grades."
)
# How often a process waiting for another's delivery of the same task looks again.
CLAIM_POLL_SECONDS = 0.2


# A grade stores every field of its result under the same name, but for bot_id: its bot's.
RESULT_FIELDS_STORED = tuple(name for name in GradingResult.model_fields if name != "bot_id")


def grading_result_for(grade: ConversationGrade) -> GradingResult:
    """The webhook body of a stored grade, the same on every redelivery."""
    stored = {name: getattr(grade, name) for name in RESULT_FIELDS_STORED}
    # A grade from before BANT was extracted has none: its body has no qualification.
    stored["qualification"] = grade.qualification or None
    return GradingResult(bot_id=grade.bot.bot_id, **stored)


def delivery_hold_seconds() -> float:
    return (
        longest_delivery_seconds(
            attempts=settings.WEBHOOK_RETRIES,
            max_backoff=settings.WEBHOOK_MAX_BACKOFF,
            timeout=settings.WEBHOOK_TIMEOUT,
        )
        + 5
    )  # the database writes around the attempts


def delivery_hold_until():
    return timezone.now() + timedelta(seconds=delivery_hold_seconds())


def _delivery_claim(grade: ConversationGrade) -> bool:
    """Take the grade for delivery: False when it is delivered, not ours to deliver, or
    held by another process."""
    now = timezone.now()
    claimed = (
        ConversationGrade.objects.filter(
            pk=grade.pk, delivery_status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED)
        )
        .filter(Q(delivery_claimed_until__isnull=True) | Q(delivery_claimed_until__lt=now))
        .update(delivery_claimed_until=delivery_hold_until())
    )
    return claimed == 1


def _delivery_claim_or_wait(grade: ConversationGrade, *, wait: bool) -> bool:
    """Claim the grade for delivery; while another process holds it, wait (with `wait`)
    until that one has delivered it or let go. False: not ours to send (delivered, answered
    over HTTP, or still held when the wait ends)."""
    deadline = time.monotonic() + delivery_hold_seconds() + 1
    while not _delivery_claim(grade):
        grade.refresh_from_db()
        if grade.delivery_status not in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
            return False
        if not wait or time.monotonic() > deadline:
            return False
        time.sleep(CLAIM_POLL_SECONDS)
    return True


def _delivery_record(grade: ConversationGrade, outcome: DeliveryOutcome) -> None:
    """Store how the delivery went, let go of the grade, and log it."""
    grade.delivery_attempts += outcome.attempts
    grade.delivery_claimed_until = None
    if outcome.delivered:
        grade.delivery_status = DeliveryStatus.DELIVERED
        grade.delivered_at = timezone.now()
        grade.last_error = ""
    else:
        grade.delivery_status = DeliveryStatus.FAILED
        grade.last_error = outcome.error
    grade.save(
        update_fields=[
            "delivery_attempts",
            "delivery_claimed_until",
            "delivery_status",
            "delivered_at",
            "last_error",
        ]
    )
    log = logger.info if outcome.delivered else logger.error
    log(
        "Webhook delivered" if outcome.delivered else "Webhook delivery failed: %s",
        *(() if outcome.delivered else (outcome.error,)),
        extra={
            "task_id": grade.task_id,
            "visitor_id": grade.visitor_id,
            "attempts": outcome.attempts,
            "delivery_status": grade.delivery_status,
        },
    )


def grade_deliver(
    *, grade: ConversationGrade, wait: bool = True, held: bool = False
) -> ConversationGrade:
    """POST the grade's result to BACKEND_WEBHOOK_URL (signed, with retries) unless it was
    delivered already, and record the outcome. `held`: the caller holds it already (it
    stored it). When another process holds it, wait (with `wait`) until that one has
    delivered it or let go."""
    if not (settings.BACKEND_WEBHOOK_URL and settings.BACKEND_WEBHOOK_SECRET):
        raise ApplicationError(WEBHOOK_NOT_CONFIGURED_ERROR)
    if not held and not _delivery_claim_or_wait(grade, wait=wait):
        return grade
    outcome = webhook_post(
        url=settings.BACKEND_WEBHOOK_URL,
        body=grading_result_for(grade).model_dump_json().encode(),
        secret=settings.BACKEND_WEBHOOK_SECRET,
        webhook_id=grade.task_id,
        attempts=settings.WEBHOOK_RETRIES,
        backoff=settings.WEBHOOK_BACKOFF,
        max_backoff=settings.WEBHOOK_MAX_BACKOFF,
        timeout=settings.WEBHOOK_TIMEOUT,
    )
    _delivery_record(grade, outcome)
    return grade


def grades_redeliver(*, grades: QuerySet[ConversationGrade]) -> dict[str, int]:
    """Deliver each of these grades that still needs it, now; counts of those delivered,
    those that failed again and those skipped (delivered already, or being delivered)."""
    counts = {"delivered": 0, "failed": 0, "skipped": 0}
    for grade in grades.select_related("bot").order_by("pk").iterator(chunk_size=100):
        attempts_before = grade.delivery_attempts
        grade = grade_deliver(grade=grade, wait=False)
        if grade.delivery_attempts == attempts_before:
            counts["skipped"] += 1
        elif grade.delivery_status == DeliveryStatus.DELIVERED:
            counts["delivered"] += 1
        else:
            counts["failed"] += 1
    return counts
