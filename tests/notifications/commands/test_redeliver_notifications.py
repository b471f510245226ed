import pytest
from django.core.management import CommandError, call_command

from scoring.conversations.schemas import grading_task_from_data
from scoring.conversations.services import grading_task_process
from scoring.notifications.management.commands.redeliver_notifications import (
    NOTHING_TO_DO,
    STILL_FAILING_ERROR,
    SUMMARY,
)
from scoring.notifications.models import Notification
from tests.conversation_tasks import HOT_MESSAGES, task_data
from tests.factories import UserFactory

Status = Notification.Status


@pytest.fixture
def failed_notifications(account, bot, webhook_receiver, smtp_server, slack_receiver):
    """Two hot grades whose notifications failed on both channels: the mail server was down
    and the Slack hook answered 500."""
    UserFactory(email="sales@example.com", membership__account=account)
    smtp_server.stop()
    slack_receiver.status = 500
    grades = [
        grading_task_process(task=grading_task_from_data(task_data(HOT_MESSAGES, task_id=task_id)))
        for task_id in ("t1", "t2")
    ]
    assert [g.lead_category for g in grades] == ["hot", "hot"]
    assert Notification.objects.filter(status=Status.FAILED).count() == 2
    smtp_server.start()
    slack_receiver.status = None
    return grades


def test_failed_notifications_are_sent_once_they_work(
    failed_notifications, smtp_server, slack_receiver, capsys
):
    call_command("redeliver_notifications")

    assert capsys.readouterr().out.strip() == SUMMARY.format(sent=2, failed=0, skipped=0)
    assert [mail.recipients for mail in smtp_server.mails] == [["sales@example.com"]] * 2
    assert len(slack_receiver.deliveries) == 2
    assert not Notification.objects.exclude(status=Status.SENT).exists()
    call_command("redeliver_notifications")  # nothing left to send
    assert capsys.readouterr().out.strip() == NOTHING_TO_DO
    assert len(smtp_server.mails) == 2


def test_only_the_events_named(failed_notifications, smtp_server, capsys):
    first, second = failed_notifications
    call_command("redeliver_notifications", "--event", f"conversation:{second.pk}")
    assert len(smtp_server.mails) == 1
    assert f"/api/conversations/{second.pk}/" in smtp_server.mails[0].body
    assert Notification.objects.get(event_key=f"conversation:{first.pk}").status == Status.FAILED


def test_notifications_that_fail_again_fail_the_command(
    failed_notifications, smtp_server, slack_receiver, capsys
):
    slack_receiver.status = 503
    with pytest.raises(CommandError) as error:
        call_command("redeliver_notifications")
    assert str(error.value) == STILL_FAILING_ERROR.format(failed=2)
    assert capsys.readouterr().out.strip() == SUMMARY.format(sent=0, failed=2, skipped=0)
    assert len(smtp_server.mails) == 2  # the mail went; only Slack is left to send


def test_nothing_to_do(db, capsys):
    call_command("redeliver_notifications")
    assert capsys.readouterr().out.strip() == NOTHING_TO_DO
