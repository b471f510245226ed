"""Notifying an account of an event once: the record, made with the event (or idempotently
after it), then sent by whoever claims it.

A notification is written when its event happens, unique per account and event key, with
its message and recipients; sending claims it for the longest a send can take
(`claimed_until`), so two processes handling the same event never both send it, and one
that died mid-send frees it when that time has passed. Each channel's outcome is recorded as
soon as it is known: a resend sends only what has not gone. What still fails stays `failed`
for `manage.py redeliver_notifications`.

A send that the mail server accepted but whose process died before recording it is sent
again (no protocol can tell it apart from one that never arrived); its Message-ID is the
same, which lets mail clients drop the copy.
"""

import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.accounts.models import Account
from scoring.notifications.channels import (
    ChannelOutcome,
    email_send,
    notification_hold_seconds,
    slack_post,
)
from scoring.notifications.models import Notification

logger = logging.getLogger(__name__)

EMAIL_ERROR = "email: {error}"
SLACK_ERROR = "slack: {error}"
# How often a process waiting for another's send of the same notification looks again.
CLAIM_POLL_SECONDS = 0.2

Status, ChannelStatus = Notification.Status, Notification.ChannelStatus
_UNSENT = (ChannelStatus.PENDING, ChannelStatus.FAILED)


@transaction.atomic(savepoint=False)  # the conflict has a savepoint of its own, below
def notification_create(
    *,
    account: Account,
    event_key: str,
    subject: str,
    body: str,
    recipients: list[str],
    slack_message: dict,
    held: bool = False,
    held_until: datetime | None = None,
) -> tuple[Notification, bool]:
    """The event's notification: (a new one, True), or (the one made first, False). Email
    goes to `recipients` (none: no email); Slack when NOTIFY_SLACK_WEBHOOK_URL is set; with
    neither it is skipped. `held`: the event has only now happened, in the caller's
    transaction (no other can have its key: no lookup, no savepoint), and the caller holds
    the notification to send it with `notification_send(held=True)`: a consumer's hot
    grade, four statements fewer than creating it, then claiming it. Held until
    `held_until` (default: for a whole send), by when the caller renews its hold to send;
    past it, another process may take the notification over (the caller then sends
    nothing), so a caller that dies delays it no longer than that."""
    if not held:
        existing = Notification.objects.filter(account=account, event_key=event_key).first()
        if existing is not None:
            return existing, False
    email_status = ChannelStatus.PENDING if recipients else ChannelStatus.NONE
    slack_status = (
        ChannelStatus.PENDING if settings.NOTIFY_SLACK_WEBHOOK_URL else ChannelStatus.NONE
    )
    nobody = email_status == slack_status == ChannelStatus.NONE
    notification = Notification(
        account=account,
        event_key=event_key,
        subject=subject[:255],
        body=body,
        recipients=list(recipients),
        slack_message=slack_message,
        status=Status.SKIPPED if nobody else Status.PENDING,
        email_status=email_status,
        slack_status=slack_status,
        claimed_until=(held_until or _hold_until()) if held and not nobody else None,
    )
    if held:
        notification.save(force_insert=True)
    else:
        try:
            with transaction.atomic():  # a savepoint: the unique conflict must not spoil ours
                notification.save(force_insert=True)
        except IntegrityError:
            existing = Notification.objects.filter(account=account, event_key=event_key).first()
            if existing is None:
                raise
            return existing, False
    if nobody:
        logger.info(
            "Nobody to notify: no member with an email and no Slack hook",
            extra={"event": event_key, "account": account.pk},
        )
    return notification, True


def _hold_until() -> datetime:
    return timezone.now() + timedelta(seconds=notification_hold_seconds())


def _claim(notification: Notification) -> bool:
    """Take the notification for sending: False when it is sent, skipped, or held by
    another process."""
    claimed = (
        Notification.objects.filter(pk=notification.pk, status__in=(Status.PENDING, Status.FAILED))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()))
        .update(claimed_until=_hold_until())
    )
    return claimed == 1


def _hold_renew(notification: Notification) -> bool:
    """Hold the notification its creator holds for a whole send from now (what came before,
    a webhook say, may have taken a while): False when its hold passed and another process
    took it over, which set a hold of its own. Its creator's hold time is the proof."""
    if notification.status != Status.PENDING or notification.claimed_until is None:
        return False
    held_until = _hold_until()
    renewed = Notification.objects.filter(
        pk=notification.pk, status=Status.PENDING, claimed_until=notification.claimed_until
    ).update(claimed_until=held_until)
    if renewed == 1:
        notification.claimed_until = held_until
    return renewed == 1


def _claim_or_wait(notification: Notification, *, wait: bool) -> bool:
    """Claim the notification; while another process holds it, wait (with `wait`) until
    that one has sent it or let go. False: not ours to send (sent, nobody to tell, or still
    held when the wait ends)."""
    deadline = time.monotonic() + notification_hold_seconds() + 1
    while not _claim(notification):
        notification.refresh_from_db()
        if notification.status not in (Status.PENDING, Status.FAILED):
            return False
        if not wait or time.monotonic() > deadline:
            return False
        time.sleep(CLAIM_POLL_SECONDS)
    # What another process sent before letting go is not sent again.
    notification.refresh_from_db()
    return True


def _message_id(notification: Notification) -> str:
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or "intentscore.localhost"
    return f"<notification-{notification.pk}.{notification.account_id}@{domain}>"


def _channel_record(
    notification: Notification, field: str, outcome: ChannelOutcome, template: str, errors
) -> None:
    notification.attempts += outcome.attempts
    setattr(notification, field, ChannelStatus.SENT if outcome.sent else ChannelStatus.FAILED)
    if not outcome.sent:
        errors.append(template.format(error=outcome.error))
    # At once: if this process dies before the next channel, this one is not sent again.
    notification.save(update_fields=[field, "attempts"])


def _channels_send(notification: Notification) -> None:
    """Send what has not gone of a notification this process holds, and record it."""
    errors: list[str] = []
    if notification.email_status in _UNSENT:
        outcome = email_send(
            subject=notification.subject,
            body=notification.body,
            recipients=notification.recipients,
            message_id=_message_id(notification),
        )
        _channel_record(notification, "email_status", outcome, EMAIL_ERROR, errors)
    if notification.slack_status in _UNSENT:
        if url := settings.NOTIFY_SLACK_WEBHOOK_URL:
            outcome = slack_post(url=url, payload=notification.slack_message)
            _channel_record(notification, "slack_status", outcome, SLACK_ERROR, errors)
        else:  # the hook was removed since: nowhere to send it
            notification.slack_status = ChannelStatus.NONE
    channels = (notification.email_status, notification.slack_status)
    if errors:
        notification.status = Status.FAILED
    elif all(status == ChannelStatus.NONE for status in channels):
        notification.status = Status.SKIPPED
    else:
        notification.status, notification.sent_at = Status.SENT, timezone.now()
    notification.last_error = "; ".join(errors)
    notification.claimed_until = None
    notification.save(
        update_fields=["status", "slack_status", "last_error", "claimed_until", "sent_at"]
    )
    log = logger.error if errors else logger.info
    log(
        "Notification failed: %s" if errors else "Notification sent",
        *((notification.last_error,) if errors else ()),
        extra={
            "event": notification.event_key,
            "notification_id": notification.pk,
            "attempts": notification.attempts,
            "email_status": notification.email_status,
            "slack_status": notification.slack_status,
        },
    )


def notification_send(
    *, notification: Notification, wait: bool = True, held: bool = False
) -> Notification:
    """Send the notification unless it was sent already, and record how it went. When
    another process holds it, wait (with `wait`) until that one has sent it or let go.
    `held`: the caller made it (`notification_create(held=True)`), so holds it unless its hold
    passed meanwhile."""
    if notification.status == Status.SKIPPED:
        return notification
    if (held and _hold_renew(notification)) or _claim_or_wait(notification, wait=wait):
        _channels_send(notification)
    return notification


def notifications_resend(*, notifications: QuerySet[Notification]) -> dict[str, int]:
    """Send each of these notifications that still needs it, now; counts of those sent,
    those that failed again and those skipped (sent already, or being sent)."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for notification in notifications.order_by("pk").iterator(chunk_size=100):
        if not _claim_or_wait(notification, wait=False):
            counts["skipped"] += 1
            continue
        _channels_send(notification)
        if notification.status == Status.FAILED:
            counts["failed"] += 1
        elif notification.status == Status.SENT:
            counts["sent"] += 1
        else:
            counts["skipped"] += 1
    return counts
