"""Reads of accounts themselves: by the slug an operator's command names."""

from scoring.accounts.models import Account


def account_by_slug(*, slug: str) -> Account | None:
    return Account.objects.filter(slug=slug).first()
