"""Grading visitor conversations and storing the grades; delivering them: delivery.py.

A task is graded once per account: a redelivered or duplicated task finds its stored grade
and, once that was delivered, sends nothing again. A grade belongs to its bot's account; a
bot nobody added is registered on first sight (unless GRADING_STRICT_BOTS), in the account
the task came for. A hot grade's notification is written with it and sent once (notify.py).
"""

import logging
from contextlib import nullcontext
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from scoring.accounts.models import Account
from scoring.accounts.services import default_account
from scoring.conversations import bant
from scoring.conversations.criteria import category_for, clamp_score, engagement_for
from scoring.conversations.delivery import RESULT_FIELDS_STORED, delivery_hold_until, grade_deliver
from scoring.conversations.grading import ConversationGrader, LocalGrader, grader_from_settings
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus, LeadCategory
from scoring.conversations.notify import grade_notify, hot_grade_notification_create
from scoring.conversations.schemas import GradingResult, GradingTask
from scoring.conversations.selectors import bot_by_id, grade_for_task
from scoring.core.exceptions import ApplicationError, Conflict, InvalidInput
from scoring.llm.base import ProviderError
from scoring.notifications.models import Notification

logger = logging.getLogger(__name__)

UNKNOWN_BOT_ERROR = (
    "Unknown bot_id {bot_id!r}: add it as a Bot (in the admin) of the account its grades "
    "belong to (GRADING_STRICT_BOTS is on: no bot is registered on first sight)."
)
# Over HTTP: the other account is not named.
FOREIGN_BOT_ERROR = (
    "bot_id {bot_id!r} is a bot of another account: its conversations are graded there, "
    "not in this one."
)
# From a consumer that GRADING_ACCOUNT scopes: its operator may see both accounts.
OUTSIDE_GRADING_ACCOUNT_ERROR = (
    "bot_id {bot_id!r} is a bot of the account {bot_account!r}; this consumer grades for "
    "GRADING_ACCOUNT {account!r} only."
)
TASK_CONFLICT_ERROR = (
    "task_id {task_id!r} was already graded for bot {other_bot!r}; a task id names one task."
)
FALLBACK_MODEL = "{model} (fallback: {provider} failed)"


class UnknownBot(InvalidInput):
    pass


class TaskConflict(ApplicationError):
    status_code = 409


class ForeignBot(Conflict):
    """The bot_id is taken, by another account: no request of this one can change that."""


def conversation_grade(
    *, task: GradingTask, grader: ConversationGrader | None = None
) -> tuple[GradingResult, str]:
    """The webhook body for the task, and why a remote model's grade was replaced by the
    offline criteria ("" when it was not). Needs no database."""
    grader = grader or grader_from_settings()
    grading_error = ""
    try:
        assessment = grader.grade(task=task)
    except ProviderError as error:
        # The visitor's result must not wait for the provider to come back: grade by the
        # same criteria offline, and say so in model_used and the stored grade.
        grading_error = error.message
        logger.warning(
            "Conversation graded offline: %s",
            error.message,
            extra={"task_id": task.task_id, "visitor_id": task.visitor_id},
        )
        assessment = LocalGrader().grade(task=task)
        assessment_model = FALLBACK_MODEL.format(model=assessment.model_used, provider=grader.name)
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
        # The offline extraction also for a remote model's grade: the same evidence rules.
        qualification=assessment.qualification or bant.qualification(task.visitor_messages),
    )
    return result, grading_error


@transaction.atomic
def bot_register(*, account: Account, bot_id: str) -> Bot:
    """A bot first seen in a task, created in `account` with no name (what tells it from
    one added in the admin). Another process registering it meanwhile wins: its bot is
    returned, whatever its account (the caller checks that)."""
    try:
        with transaction.atomic():  # a savepoint: the unique conflict must not spoil ours
            bot = Bot.objects.create(account=account, bot_id=bot_id)
    except IntegrityError:
        bot = bot_by_id(bot_id=bot_id)
        if bot is None:  # not the bot_id's conflict: a real error
            raise
        return bot
    logger.info("Bot registered on first sight", extra={"bot_id": bot_id, "account": account.slug})
    return bot


def _bot_seen(*, bot_id: str, account: Account | None) -> Bot:
    """The bot, of any account; registered in `account` (the default account when None) if
    nobody knows it, unless GRADING_STRICT_BOTS."""
    bot = bot_by_id(bot_id=bot_id)
    if bot is not None:
        return bot
    if settings.GRADING_STRICT_BOTS:
        raise UnknownBot(UNKNOWN_BOT_ERROR.format(bot_id=bot_id))
    return bot_register(account=account or default_account(), bot_id=bot_id)


def bot_for_api_task(*, account: Account, task: GradingTask) -> Bot:
    """The task's bot, of the caller's `account`, registered there on first sight; another
    account's is ForeignBot (with GRADING_STRICT_BOTS, as unknown as a missing one)."""
    bot = _bot_seen(bot_id=task.bot_id, account=account)
    if bot.account_id == account.pk:
        return bot
    if settings.GRADING_STRICT_BOTS:
        # Registering nothing, this path tells no caller that another account has the id:
        # keep it that way.
        raise UnknownBot(UNKNOWN_BOT_ERROR.format(bot_id=task.bot_id))
    # Here a registration would fail on the id anyway, so saying it is taken reveals
    # nothing more, and tells the backend what to fix.
    raise ForeignBot(FOREIGN_BOT_ERROR.format(bot_id=task.bot_id))


def bot_for_queued_task(*, task: GradingTask, account: Account | None = None) -> Bot:
    """The task's bot for a consumer: with `account` (GRADING_ACCOUNT's), a bot of that
    account, registered there on first sight, and another account's is ForeignBot; without,
    a bot of any account (its grades go there), a new one registered in the default account."""
    bot = _bot_seen(bot_id=task.bot_id, account=account)
    if account is not None and bot.account_id != account.pk:
        raise ForeignBot(
            OUTSIDE_GRADING_ACCOUNT_ERROR.format(
                bot_id=task.bot_id, bot_account=bot.account.slug, account=account.slug
            )
        )
    return bot


def _existing_grade(*, bot: Bot, task: GradingTask) -> ConversationGrade | None:
    grade = grade_for_task(account=bot.account, task_id=task.task_id)
    if grade is not None and grade.bot_id != bot.pk:
        raise TaskConflict(
            TASK_CONFLICT_ERROR.format(task_id=task.task_id, other_bot=grade.bot.bot_id)
        )
    return grade


class StoredGrade(NamedTuple):
    grade: ConversationGrade
    # False: another process stored this task's grade first; `grade` is that one.
    created: bool
    # A new hot grade's notification, held for this process to send.
    notification: Notification | None = None


def conversation_grade_store(
    *,
    task: GradingTask,
    bot: Bot,
    result: GradingResult,
    grading_error: str = "",
    delivery_status: str = DeliveryStatus.PENDING,
) -> StoredGrade:
    """Store the grade, and a hot one's notification with it. A pending grade is stored
    held for delivery by its creator, and a hot grade's notification held for sending by
    it (a write fewer each than claiming them afterwards)."""
    held_until = delivery_hold_until() if delivery_status == DeliveryStatus.PENDING else None
    try:
        # In autocommit (the consumer) a grade alone is one INSERT, atomic by itself: no
        # BEGIN, SAVEPOINT, RELEASE or COMMIT around it. A hot grade's
        # notification is written in the grade's transaction; inside a caller's transaction
        # it is a savepoint, so that a unique conflict leaves that transaction usable.
        hot = result.lead_category == LeadCategory.HOT
        own_transaction = connection.in_atomic_block or not connection.get_autocommit()
        with transaction.atomic() if hot or own_transaction else nullcontext():
            grade = ConversationGrade.objects.create(
                account=bot.account,
                bot=bot,
                conversation_history=[m.model_dump() for m in task.conversation_history],
                visitor_profile=task.visitor_profile,
                grading_error=grading_error,
                delivery_status=delivery_status,
                delivery_claimed_until=held_until,
                **result.model_dump(include=set(RESULT_FIELDS_STORED) - {"qualification"}),
                qualification=result.qualification.model_dump() if result.qualification else {},
            )
            notification = hot_grade_notification_create(grade=grade)
    except IntegrityError:
        grade = _existing_grade(bot=bot, task=task)
        if grade is None:
            raise
        return StoredGrade(grade, created=False)
    return StoredGrade(grade, created=True, notification=notification)


def conversation_grade_for_api(*, account: Account, task: GradingTask) -> ConversationGrade:
    """POST /api/conversations/grade/: grade now and answer with the result, no webhook
    (a hot one is notified). The same task again answers with its stored grade."""
    bot = bot_for_api_task(account=account, task=task)
    if (grade := _existing_grade(bot=bot, task=task)) is not None:
        return grade_notify(grade=grade, wait=False)
    result, grading_error = conversation_grade(task=task)
    stored = conversation_grade_store(
        task=task,
        bot=bot,
        result=result,
        grading_error=grading_error,
        delivery_status=DeliveryStatus.RETURNED,
    )
    if not stored.created:
        return grade_notify(grade=stored.grade, wait=False)
    _log_graded(stored.grade)
    return grade_notify(grade=stored.grade, held=stored.notification, wait=False)


def grading_task_process(
    *,
    task: GradingTask,
    grader: ConversationGrader | None = None,
    account: Account | None = None,
    look_first: bool = True,
) -> ConversationGrade:
    """What the consumer does with a valid task: grade it (with `grader`, default the
    configured one) and store it, unless stored already, then deliver it, unless delivered
    already, and notify a hot one, unless notified already. `account`: GRADING_ACCOUNT's,
    the only one a scoped consumer grades for (see bot_for_queued_task). `look_first`:
    look for the task's stored grade before grading; without, a task stored already is
    graded for nothing, then found when its grade cannot be stored (the consumer's first
    delivery of a message: a query fewer for nearly every task). UnknownBot / ForeignBot /
    TaskConflict for a task that cannot be processed; delivery failures are recorded on
    the grade (and a notification's on the notification)."""
    bot = bot_for_queued_task(task=task, account=account)
    grade = _existing_grade(bot=bot, task=task) if look_first else None
    if grade is None:
        result, grading_error = conversation_grade(task=task, grader=grader)
        stored = conversation_grade_store(
            task=task, bot=bot, result=result, grading_error=grading_error
        )
        grade = stored.grade
        if stored.created:
            _log_graded(grade)
            return grade_notify(
                grade=grade_deliver(grade=grade, held=True), held=stored.notification
            )
    return grade_notify(grade=grade_deliver(grade=grade))


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
