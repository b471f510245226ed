"""Reads of bots and graded conversations, scoped to one account; the consumer's, which
finds a task's account from its bot, and the redelivery's, which works for every account,
say so."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.accounts.models import Account
from scoring.accounts.selectors import account_by_slug
from scoring.conversations.delivery import delivery_hold_seconds
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus
from scoring.core.exceptions import ApplicationError, NotFound

UNKNOWN_GRADING_ACCOUNT_ERROR = (
    "GRADING_ACCOUNT {slug!r} is no account's slug: create that account, or unset "
    "GRADING_ACCOUNT to grade the bots of every account."
)


class UnknownGradingAccount(ApplicationError):
    pass


def bots_for_account(*, account: Account) -> QuerySet[Bot]:
    return Bot.objects.filter(account=account)


def grades_for_account(*, account: Account) -> QuerySet[ConversationGrade]:
    return ConversationGrade.objects.filter(account=account).select_related("bot")


def bot_by_id(*, bot_id: str, account: Account | None = None) -> Bot | None:
    """The bot a task names, in `account`; in any account when None (the consumer: a
    task's bot is what says whose it is)."""
    bots = Bot.objects.select_related("account")
    if account is not None:
        bots = bots.filter(account=account)
    return bots.filter(bot_id=bot_id).first()


def grading_account_from_settings() -> Account | None:
    """The account GRADING_ACCOUNT names, the only one a consumer then grades for; None when
    it is unset (every account's bots). Read once, at start-up: a slug no account has is a
    configuration error, not the fault of each task."""
    slug = settings.GRADING_ACCOUNT
    if not slug:
        return None
    try:
        return account_by_slug(slug=slug)
    except NotFound:
        raise UnknownGradingAccount(UNKNOWN_GRADING_ACCOUNT_ERROR.format(slug=slug)) from None


def grade_for_task(*, account: Account, task_id: str) -> ConversationGrade | None:
    return grades_for_account(account=account).filter(task_id=task_id).first()


def grades_awaiting_delivery() -> QuerySet[ConversationGrade]:
    """Failed deliveries, and pending ones nobody holds (their process died), in every
    account: what `manage.py redeliver_webhooks` sends again."""
    now = timezone.now()
    unheld = Q(delivery_claimed_until__isnull=True) | Q(delivery_claimed_until__lt=now)
    stale = now - timedelta(seconds=delivery_hold_seconds())
    return ConversationGrade.objects.select_related("bot").filter(
        Q(delivery_status=DeliveryStatus.FAILED)
        | Q(delivery_status=DeliveryStatus.PENDING, created_at__lt=stale) & unheld
    )
