"""What the apps' management commands share about accounts."""

from django.core.management.base import CommandError

from scoring.accounts.models import Account
from scoring.accounts.selectors import account_by_slug
from scoring.accounts.services import default_account
from scoring.core.exceptions import NotFound


def account_from_option(slug: str | None) -> Account:
    """The account an --account SLUG option names; the default account without one."""
    if slug is None:
        return default_account()
    try:
        return account_by_slug(slug=slug)
    except NotFound as error:
        raise CommandError(error.message) from None
