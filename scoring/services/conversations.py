"""Grading visitor conversations, storing the grades and delivering them by webhook.

A task is graded once per account: a redelivered or duplicated task finds its stored grade
and, once that was delivered, sends nothing again. Delivering holds the grade for the
longest a delivery can take (`delivery_claimed_until`), so two processes given the same
task never both send it; one that died mid-delivery frees it when that time has passed.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.conversation_rules import category_for, clamp_score, engagement_for
from scoring.conversation_schemas import GradingResult, GradingTask
from scoring.exceptions import InvalidInput, ScoringError
from scoring.models import Account, Bot, ConversationGrade, DeliveryStatus
from scoring.providers import provider_from_settings
from scoring.providers.llm import ProviderError
from scoring.providers.local import LocalProvider
from scoring.webhooks import longest_delivery_seconds, webhook_post

logger = logging.getLogger(__name__)

UNKNOWN_BOT_ERROR = (
    "Unknown bot_id {bot_id!r}: add it as a Bot (in the admin) of the account its grades belong to."
)
TASK_CONFLICT_ERROR = (
    "task_id {task_id!r} was already graded for bot {other_bot!r}; a task id names one task."
)
WEBHOOK_NOT_CONFIGURED_ERROR = (
    "BACKEND_WEBHOOK_URL and BACKEND_WEBHOOK_SECRET must both be set to deliver grades."
)
FALLBACK_MODEL = "{model} (fallback: {provider} failed)"
# How often a process waiting for another's delivery of the same task looks again.
CLAIM_POLL_SECONDS = 0.2


class UnknownBot(InvalidInput):
    pass


class TaskConflict(ScoringError):
    status_code = 409


def conversation_grade(*, task: GradingTask, provider=None) -> tuple[GradingResult, str]:
    """The webhook body for the task, and why a remote provider's grade was replaced by
    the offline criteria ("" when it was not). Needs no database."""
    provider = provider or provider_from_settings()
    grading_error = ""
    try:
        assessment = provider.grade_conversation(task=task)
    except ProviderError as error:
        # The visitor's result must not wait for the provider to come back: grade by the
        # same criteria offline, and say so in model_used and the stored grade.
        grading_error = error.message
        logger.warning(
            "Conversation graded offline: %s",
            error.message,
            extra={"task_id": task.task_id, "visitor_id": task.visitor_id},
        )
        assessment = LocalProvider().grade_conversation(task=task)
        assessment_model = FALLBACK_MODEL.format(
            model=assessment.model_used, provider=provider.name
        )
    else:
        assessment_model = assessment.model_used
    score = clamp_score(assessment.score)
    _, engagement_level = engagement_for(len(task.visitor_messages))
    result = GradingResult(
        task_id=task.task_id,
        visitor_id=task.visitor_id,
        bot_id=task.bot_id,
        session_id=task.session_id,
        lead_score=score,
        lead_category=category_for(score).value,
        intent_signals=list(assessment.intent_signals),
        engagement_level=engagement_level.value,
        key_interests=list(assessment.key_interests),
        recommended_actions=list(assessment.recommended_actions),
        reasoning=assessment.reasoning,
        graded_at=timezone.now(),
        model_used=assessment_model,
        conversation_count=len(task.conversation_history),
    )
    return result, grading_error


# A grade stores every field of its result under the same name, but for bot_id: its bot's.
_RESULT_FIELDS_STORED = tuple(name for name in GradingResult.model_fields if name != "bot_id")


def grading_result_for(grade: ConversationGrade) -> GradingResult:
    """The webhook body of a stored grade, the same on every redelivery."""
    return GradingResult(
        bot_id=grade.bot.bot_id, **{name: getattr(grade, name) for name in _RESULT_FIELDS_STORED}
    )


def bot_for_task(*, task: GradingTask, account: Account | None = None) -> Bot:
    """The task's bot (in `account` when given); UnknownBot otherwise."""
    bots = Bot.objects.select_related("account")
    if account is not None:
        bots = bots.filter(account=account)
    try:
        return bots.get(bot_id=task.bot_id)
    except Bot.DoesNotExist:
        raise UnknownBot(UNKNOWN_BOT_ERROR.format(bot_id=task.bot_id)) from None


def _existing_grade(*, bot: Bot, task: GradingTask) -> ConversationGrade | None:
    grade = (
        ConversationGrade.objects.select_related("bot")
        .filter(account=bot.account, task_id=task.task_id)
        .first()
    )
    if grade is not None and grade.bot_id != bot.pk:
        raise TaskConflict(
            TASK_CONFLICT_ERROR.format(task_id=task.task_id, other_bot=grade.bot.bot_id)
        )
    return grade


@transaction.atomic
def conversation_grade_store(
    *,
    task: GradingTask,
    bot: Bot,
    result: GradingResult,
    grading_error: str = "",
    delivery_status: str = DeliveryStatus.PENDING,
) -> tuple[ConversationGrade, bool]:
    """Store the grade; (grade, True), or (the grade stored first, False) when another
    process stored this task's grade meanwhile. A pending grade is stored held for
    delivery by its creator (one write fewer than claiming it afterwards)."""
    held_until = _delivery_hold_until() if delivery_status == DeliveryStatus.PENDING else None
    try:
        with transaction.atomic():  # a savepoint: the unique conflict must not spoil ours
            grade = ConversationGrade.objects.create(
                account=bot.account,
                bot=bot,
                conversation_history=[m.model_dump() for m in task.conversation_history],
                visitor_profile=task.visitor_profile,
                grading_error=grading_error,
                delivery_status=delivery_status,
                delivery_claimed_until=held_until,
                **result.model_dump(include=set(_RESULT_FIELDS_STORED)),
            )
    except IntegrityError:
        grade = _existing_grade(bot=bot, task=task)
        if grade is None:
            raise
        return grade, False
    return grade, True


def conversation_grade_for_api(*, account: Account, task: GradingTask) -> ConversationGrade:
    """POST /api/conversations/grade/: grade now and answer with the result, no webhook.
    The same task again answers with its stored grade."""
    bot = bot_for_task(task=task, account=account)
    if (grade := _existing_grade(bot=bot, task=task)) is not None:
        return grade
    result, grading_error = conversation_grade(task=task)
    grade, _ = conversation_grade_store(
        task=task,
        bot=bot,
        result=result,
        grading_error=grading_error,
        delivery_status=DeliveryStatus.RETURNED,
    )
    _log_graded(grade)
    return grade


def grading_task_process(*, task: GradingTask, provider=None) -> ConversationGrade:
    """What the consumer does with a valid task: grade it (with `provider`, default the
    configured one) and store it, unless stored already, then deliver it, unless delivered
    already. UnknownBot / TaskConflict for a task that cannot be processed; delivery
    failures are recorded on the grade."""
    bot = bot_for_task(task=task)
    grade = _existing_grade(bot=bot, task=task)
    if grade is None:
        result, grading_error = conversation_grade(task=task, provider=provider)
        grade, created = conversation_grade_store(
            task=task, bot=bot, result=result, grading_error=grading_error
        )
        if created:
            _log_graded(grade)
            return grade_deliver(grade=grade, held=True)
    return grade_deliver(grade=grade)


def _log_graded(grade: ConversationGrade) -> None:
    logger.info(
        "Visitor scored successfully",
        extra={
            "task_id": grade.task_id,
            "visitor_id": grade.visitor_id,
            "score": grade.lead_score,
            "category": grade.lead_category,
            "model_used": grade.model_used,
        },
    )


def _delivery_hold_seconds() -> float:
    return (
        longest_delivery_seconds(
            attempts=settings.WEBHOOK_RETRIES,
            max_backoff=settings.WEBHOOK_MAX_BACKOFF,
            timeout=settings.WEBHOOK_TIMEOUT,
        )
        + 5
    )  # the database writes around the attempts


def _delivery_hold_until():
    return timezone.now() + timedelta(seconds=_delivery_hold_seconds())


def _delivery_claim(grade: ConversationGrade) -> bool:
    """Take the grade for delivery: False when it is delivered, not ours to deliver, or
    held by another process."""
    now = timezone.now()
    claimed = (
        ConversationGrade.objects.filter(
            pk=grade.pk, delivery_status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED)
        )
        .filter(Q(delivery_claimed_until__isnull=True) | Q(delivery_claimed_until__lt=now))
        .update(delivery_claimed_until=_delivery_hold_until())
    )
    return claimed == 1


def grade_deliver(
    *, grade: ConversationGrade, wait: bool = True, held: bool = False
) -> ConversationGrade:
    """POST the grade's result to BACKEND_WEBHOOK_URL (signed, with retries) unless it was
    delivered already, and record the outcome. `held`: the caller holds it already (it
    stored it). When another process holds it, wait (with `wait`) until that one has
    delivered it or let go."""
    if not (settings.BACKEND_WEBHOOK_URL and settings.BACKEND_WEBHOOK_SECRET):
        raise ScoringError(WEBHOOK_NOT_CONFIGURED_ERROR)
    deadline = time.monotonic() + _delivery_hold_seconds() + 1
    while not held and not _delivery_claim(grade):
        grade.refresh_from_db()
        if grade.delivery_status not in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
            return grade  # delivered (or answered over HTTP) already: nothing to send
        if not wait or time.monotonic() > deadline:
            return grade
        time.sleep(CLAIM_POLL_SECONDS)

    body = grading_result_for(grade).model_dump_json().encode()
    outcome = webhook_post(
        url=settings.BACKEND_WEBHOOK_URL,
        body=body,
        secret=settings.BACKEND_WEBHOOK_SECRET,
        webhook_id=grade.task_id,
        attempts=settings.WEBHOOK_RETRIES,
        backoff=settings.WEBHOOK_BACKOFF,
        max_backoff=settings.WEBHOOK_MAX_BACKOFF,
        timeout=settings.WEBHOOK_TIMEOUT,
    )
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
    return grade


def grades_awaiting_delivery() -> QuerySet[ConversationGrade]:
    """Failed deliveries, and pending ones nobody holds (their process died)."""
    now = timezone.now()
    unheld = Q(delivery_claimed_until__isnull=True) | Q(delivery_claimed_until__lt=now)
    stale = now - timedelta(seconds=_delivery_hold_seconds())
    return ConversationGrade.objects.select_related("bot").filter(
        Q(delivery_status=DeliveryStatus.FAILED)
        | Q(delivery_status=DeliveryStatus.PENDING, created_at__lt=stale) & unheld
    )


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
