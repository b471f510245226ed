"""Reads of accounts themselves: the one an operator's command names by its slug."""

from scoring.accounts.models import Account
from scoring.core.exceptions import NotFound

ACCOUNT_NOT_FOUND_ERROR = "No account with the slug '{slug}'."


def account_by_slug(*, slug: str) -> Account:
    try:
        return Account.objects.get(slug=slug)
    except Account.DoesNotExist:
        raise NotFound(ACCOUNT_NOT_FOUND_ERROR.format(slug=slug)) from None
