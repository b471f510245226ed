"""Sending a notification once, over a real SMTP server and a loopback Slack hook: retries
with backoff, failures kept, sends claimed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scoring.notifications import services
from scoring.notifications.channels import (
    SMTP_CONNECTION_ERROR,
    SMTP_REPLY_ERROR,
    notification_hold_seconds,
)
from scoring.notifications.models import Notification
from scoring.notifications.selectors import notification_recipients, notifications_awaiting_send
from scoring.notifications.services import (
    EMAIL_ERROR,
    SLACK_ERROR,
    notification_create,
    notification_send,
    notifications_resend,
)
from tests.factories import AccountFactory, UserFactory
from tests.slack_receiver import PATH as SLACK_PATH

pytestmark = pytest.mark.django_db

Status, ChannelStatus = Notification.Status, Notification.ChannelStatus
SLACK_MESSAGE = {"text": "Hot lead", "blocks": [{"type": "section"}]}


def make(
    account, *, key="conversation:1", recipients=("owner@example.com",), held=False
) -> Notification:
    notification, created = notification_create(
        held=held,
        account=account,
        event_key=key,
        subject="Hot lead: 85",
        body="Score 85 (hot).\nThe grade: https://scores.example.com/api/conversations/1/",
        recipients=list(recipients),
        slack_message=SLACK_MESSAGE,
    )
    assert created
    return notification


def test_a_notification_is_mailed_to_its_recipients(account, smtp_server):
    notification = make(account, recipients=["a@example.com", "b@example.com"])

    notification_send(notification=notification)

    (mail,) = smtp_server.mails
    assert mail.recipients == ["a@example.com", "b@example.com"]
    assert mail.mail_from == "alerts@scores.example.com"
    assert mail.message["From"] == "IntentScore <alerts@scores.example.com>"
    assert mail.subject == "Hot lead: 85"
    assert "The grade: https://scores.example.com/api/conversations/1/" in mail.body
    assert mail.message["Message-ID"] == (
        f"<notification-{notification.pk}.{account.pk}@scores.example.com>"
    )
    notification.refresh_from_db()
    assert (notification.status, notification.email_status, notification.slack_status) == (
        Status.SENT, ChannelStatus.SENT, ChannelStatus.NONE
    )  # fmt: skip
    assert (notification.attempts, notification.last_error) == (1, "")
    assert notification.sent_at is not None and notification.claimed_until is None


def test_the_same_event_is_one_notification(account):
    first = make(account)
    again, created = notification_create(
        account=account, event_key="conversation:1", subject="other", body="other",
        recipients=["x@example.com"], slack_message={},
    )  # fmt: skip
    assert (again.pk, created) == (first.pk, False)
    other_account, _ = notification_create(
        account=AccountFactory(name="Other"), event_key="conversation:1", subject="s",
        body="b", recipients=[], slack_message={},
    )  # fmt: skip
    assert other_account.pk != first.pk


def test_a_sent_notification_is_not_sent_again(account, smtp_server):
    notification = make(account)
    notification_send(notification=notification)
    notification_send(notification=notification)
    notification_send(notification=Notification.objects.get(pk=notification.pk))
    assert len(smtp_server.mails) == 1


def test_a_greylisting_server_gets_the_mail_on_the_third_try_after_backing_off(
    account, smtp_server, settings
):
    settings.NOTIFY_BACKOFF, settings.NOTIFY_MAX_BACKOFF = 0.1, 1.0
    smtp_server.fail_next(["451 4.7.1 Greylisted, try again", "421 4.3.2 Busy"])
    notification = make(account)

    notification_send(notification=notification)

    assert len(smtp_server.mails) == 1
    first, second, third = smtp_server.data_times
    assert second - first >= 0.1 and third - second >= 0.2  # 0.1 s, then doubled
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        Status.SENT, 3, ""
    )  # fmt: skip


def test_a_mail_server_down_leaves_it_failed_and_the_resend_sends_it_once_it_is_back(
    account, smtp_server
):
    smtp_server.stop()  # nothing listens on its port
    notification = make(account)

    notification_send(notification=notification)

    notification.refresh_from_db()
    assert (notification.status, notification.email_status) == (Status.FAILED, "failed")
    assert notification.attempts == 3 and notification.sent_at is None
    prefix = EMAIL_ERROR.format(error=SMTP_CONNECTION_ERROR.split("{")[0])
    assert notification.last_error.startswith(prefix), notification.last_error
    assert notification.claimed_until is None
    assert list(notifications_awaiting_send()) == [notification]

    smtp_server.start()  # up again, on the same port
    counts = notifications_resend(notifications=notifications_awaiting_send())

    assert counts == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(smtp_server.mails) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        Status.SENT, 4, ""
    )  # fmt: skip
    assert not notifications_awaiting_send().exists()


def test_a_refusal_that_will_not_change_is_not_retried(account, smtp_server):
    smtp_server.reply = "550 5.1.1 Mailbox unavailable"
    notification = make(account)

    notification_send(notification=notification)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.FAILED, 1)
    assert notification.last_error == EMAIL_ERROR.format(
        error=SMTP_REPLY_ERROR.format(code=550, detail="5.1.1 Mailbox unavailable")
    )
    assert smtp_server.mails == []


def test_the_slack_hook_gets_the_message_as_json(account, slack_receiver):
    notification = make(account, recipients=[])

    notification_send(notification=notification)

    (request,) = slack_receiver.requests
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == SLACK_MESSAGE
    notification.refresh_from_db()
    assert (notification.status, notification.email_status, notification.slack_status) == (
        Status.SENT, ChannelStatus.NONE, ChannelStatus.SENT
    )  # fmt: skip


def test_a_failing_slack_hook_is_retried_with_backoff_kept_failed_and_resent_later(
    account, smtp_server, slack_receiver, settings
):
    settings.NOTIFY_BACKOFF, settings.NOTIFY_MAX_BACKOFF = 0.1, 1.0
    slack_receiver.status = 500
    notification = make(account)

    notification_send(notification=notification)

    assert [r.status for r in slack_receiver.requests] == [500, 500, 500]
    first, second, third = slack_receiver.arrival_times
    assert second - first >= 0.1 and third - second >= 0.2
    notification.refresh_from_db()
    assert (notification.status, notification.email_status, notification.slack_status) == (
        Status.FAILED, ChannelStatus.SENT, ChannelStatus.FAILED
    )  # fmt: skip
    assert notification.attempts == 4  # one mail, three posts
    assert notification.last_error.startswith(SLACK_ERROR.format(error="HTTP 500"))
    assert SLACK_PATH not in notification.last_error

    slack_receiver.status = None
    counts = notifications_resend(notifications=notifications_awaiting_send())

    assert counts == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(slack_receiver.deliveries) == 1
    assert len(smtp_server.mails) == 1  # the mail had gone: not sent again
    notification.refresh_from_db()
    assert (notification.status, notification.slack_status) == (Status.SENT, ChannelStatus.SENT)


def test_a_notification_held_by_another_process_is_not_sent_twice(account, smtp_server):
    notification = make(account)
    held_until = timezone.now() + timedelta(minutes=5)
    Notification.objects.filter(pk=notification.pk).update(claimed_until=held_until)

    notification_send(notification=notification, wait=False)
    counts = notifications_resend(notifications=Notification.objects.all())

    assert smtp_server.mails == []
    assert counts == {"sent": 0, "failed": 0, "skipped": 1}
    notification.refresh_from_db()
    assert (notification.status, notification.claimed_until) == (Status.PENDING, held_until)


def test_a_hold_whose_time_has_passed_is_taken_over(account, smtp_server):
    notification = make(account)
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    notification_send(notification=notification)
    assert len(smtp_server.mails) == 1


def test_only_failed_and_abandoned_pending_notifications_await_sending(account):
    failed = make(account, key="run:1")
    Notification.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    make(account, key="run:2")  # pending, just made: its sender is on it
    abandoned = make(account, key="run:3")
    long_ago = timezone.now() - timedelta(seconds=notification_hold_seconds() + 1)
    Notification.objects.filter(pk=abandoned.pk).update(created_at=long_ago)
    sent = make(account, key="run:4")
    Notification.objects.filter(pk=sent.pk).update(status=Status.SENT, created_at=long_ago)
    held = make(account, key="run:5")
    Notification.objects.filter(pk=held.pk).update(
        created_at=long_ago, claimed_until=timezone.now() + timedelta(minutes=1)
    )

    assert set(notifications_awaiting_send()) == {failed, abandoned}


def test_with_nobody_to_tell_nothing_is_sent_and_nothing_awaits(account, smtp_server):
    notification = make(account, recipients=[])
    assert notification.status == Status.SKIPPED

    notification_send(notification=notification)

    assert smtp_server.mails == []
    assert not notifications_awaiting_send().exists()


def test_a_slack_hook_removed_since_is_dropped_from_the_resend(account, smtp_server, settings):
    settings.NOTIFY_SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    notification = make(account)
    Notification.objects.filter(pk=notification.pk).update(status=Status.FAILED)
    settings.NOTIFY_SLACK_WEBHOOK_URL = ""

    notification_send(notification=notification)

    notification.refresh_from_db()
    assert (notification.status, notification.slack_status) == (Status.SENT, ChannelStatus.NONE)
    assert len(smtp_server.mails) == 1


def test_the_owner_is_mailed_else_every_active_member_with_an_email(account):
    owner = UserFactory(email="owner@example.com", membership__account=account)
    UserFactory(email="zed@example.com", membership__account=account)
    UserFactory(email="", membership__account=account)
    UserFactory(email="gone@example.com", is_active=False, membership__account=account)
    outsider = UserFactory(
        email="outsider@example.com", membership__account=AccountFactory(name="B")
    )

    assert notification_recipients(account=account, owner=owner) == ["owner@example.com"]
    assert notification_recipients(account=account) == ["owner@example.com", "zed@example.com"]
    # Someone outside the account is never told about its leads, owner or not.
    assert notification_recipients(account=account, owner=outsider) == [
        "owner@example.com", "zed@example.com"
    ]  # fmt: skip
    owner.email = ""
    owner.save()
    assert notification_recipients(account=account, owner=owner) == ["zed@example.com"]


def test_the_console_backend_prints_mail_on_stderr_not_among_the_json_log_lines(
    account, settings, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    notification = make(account)

    notification_send(notification=notification)

    printed = capsys.readouterr()
    assert "Subject: Hot lead: 85" in printed.err
    assert printed.out == ""
    notification.refresh_from_db()
    assert notification.status == Status.SENT


def test_a_held_notification_is_sent_by_its_creator_only(account, smtp_server):
    before = timezone.now()
    notification = make(account, held=True)
    assert notification.status == Status.PENDING
    assert notification.claimed_until >= before + timedelta(seconds=notification_hold_seconds())

    # Anyone else, meanwhile, leaves it to its creator.
    notification_send(notification=Notification.objects.get(), wait=False)
    counts = notifications_resend(notifications=Notification.objects.all())
    assert counts == {"sent": 0, "failed": 0, "skipped": 1}
    assert smtp_server.mails == []

    notification_send(notification=notification, held=True)
    assert len(smtp_server.mails) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.claimed_until) == (Status.SENT, None)


def test_a_held_notification_whose_creator_died_is_sent_once_the_hold_has_passed(
    account, smtp_server
):
    make(account, held=True)
    Notification.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    counts = notifications_resend(notifications=Notification.objects.all())
    assert counts == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(smtp_server.mails) == 1


def test_a_creator_whose_hold_was_taken_over_sends_nothing(account, smtp_server):
    notification = make(account, held=True)
    # Its hold passed (a slow webhook, say) and another process is sending it.
    Notification.objects.update(claimed_until=timezone.now() + timedelta(minutes=5))

    notification_send(notification=notification, held=True, wait=False)

    assert smtp_server.mails == []
    assert Notification.objects.get().status == Status.PENDING


def test_a_creator_renews_its_hold_for_a_whole_send(account, smtp_server, monkeypatch):
    notification = make(account, held=True)
    created_hold = notification.claimed_until
    holds = []
    original = services._channels_send

    def channels_send(notification):
        holds.append(Notification.objects.get().claimed_until)
        original(notification)

    monkeypatch.setattr(services, "_channels_send", channels_send)
    notification_send(notification=notification, held=True)
    assert holds[0] > created_hold
    assert len(smtp_server.mails) == 1


def test_a_held_notification_with_nobody_to_tell_is_skipped_unheld(account, settings):
    settings.NOTIFY_SLACK_WEBHOOK_URL = ""
    notification = make(account, recipients=(), held=True)
    assert (notification.status, notification.claimed_until) == (Status.SKIPPED, None)
    notification_send(notification=notification, held=True)
    assert Notification.objects.get().status == Status.SKIPPED
