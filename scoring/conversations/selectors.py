"""Reads of bots and graded conversations, always scoped to one account."""

from django.db.models import QuerySet

from scoring.accounts.models import Account
from scoring.conversations.models import Bot, ConversationGrade


def bots_for_account(*, account: Account) -> QuerySet[Bot]:
    return Bot.objects.filter(account=account)


def grades_for_account(*, account: Account) -> QuerySet[ConversationGrade]:
    return ConversationGrade.objects.filter(account=account).select_related("bot")
