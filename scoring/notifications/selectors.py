"""Reads of notifications and of whom to tell. `notifications_awaiting_send` works for every
account (the resend command's); the rest are scoped to one."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.accounts.models import Account, Membership
from scoring.notifications.channels import notification_hold_seconds
from scoring.notifications.models import Notification


def notification_recipients(*, account: Account, owner=None) -> list[str]:
    """The addresses to mail: the owner's, when the owner is an active member of the account
    with an email; else every active member's that has one."""
    members = Membership.objects.filter(account=account, user__is_active=True).exclude(
        user__email=""
    )
    if owner is not None and owner.email and members.filter(user=owner).exists():
        return [owner.email]
    emails = members.order_by("user__email").values_list("user__email", flat=True)
    return list(dict.fromkeys(emails))


def notification_for_event(*, account_id: int, event_key: str) -> Notification | None:
    return Notification.objects.filter(account_id=account_id, event_key=event_key).first()


def notifications_for_account(*, account: Account) -> QuerySet[Notification]:
    return Notification.objects.filter(account=account)


def notifications_awaiting_send() -> QuerySet[Notification]:
    """Failed notifications, and pending ones nobody holds that are older than a send
    takes (their process died), in every account: what `redeliver_notifications` sends."""
    now = timezone.now()
    unheld = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    stale = now - timedelta(seconds=notification_hold_seconds())
    return Notification.objects.filter(
        Q(status=Notification.Status.FAILED)
        | Q(status=Notification.Status.PENDING, created_at__lt=stale) & unheld
    )
