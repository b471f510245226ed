import pytest
from django.core.management import CommandError, call_command

from scoring.conversations.delivery import WEBHOOK_NOT_CONFIGURED_ERROR
from scoring.conversations.management.commands.redeliver_webhooks import NOTHING_TO_DO, SUMMARY
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus
from scoring.conversations.schemas import grading_task_from_data
from scoring.conversations.services import grading_task_process
from tests.conversation_tasks import SEED_TASK


@pytest.fixture
def failed_grades(account, webhook_receiver):
    Bot.objects.create(account=account, bot_id="bot_123")
    webhook_receiver.stop()
    for task_id in ("t1", "t2"):
        grading_task_process(task=grading_task_from_data({**SEED_TASK, "task_id": task_id}))
    webhook_receiver.start()
    assert ConversationGrade.objects.filter(delivery_status=DeliveryStatus.FAILED).count() == 2


def test_failed_deliveries_are_delivered(failed_grades, webhook_receiver, capsys):
    call_command("redeliver_webhooks")
    assert capsys.readouterr().out.strip() == SUMMARY.format(delivered=2, failed=0, skipped=0)
    assert sorted(d["task_id"] for d in webhook_receiver.deliveries) == ["t1", "t2"]
    assert not ConversationGrade.objects.exclude(delivery_status=DeliveryStatus.DELIVERED).exists()


def test_only_the_tasks_named(failed_grades, webhook_receiver, capsys):
    call_command("redeliver_webhooks", "--task-id", "t2")
    assert [d["task_id"] for d in webhook_receiver.deliveries] == ["t2"]
    assert ConversationGrade.objects.get(task_id="t1").delivery_status == DeliveryStatus.FAILED


def test_deliveries_that_fail_again_fail_the_command(failed_grades, webhook_receiver, capsys):
    webhook_receiver.status = 500
    with pytest.raises(CommandError, match="2 deliveries still fail"):
        call_command("redeliver_webhooks")
    assert capsys.readouterr().out.strip() == SUMMARY.format(delivered=0, failed=2, skipped=0)


def test_nothing_to_do(db, webhook_receiver, capsys):
    call_command("redeliver_webhooks")
    assert capsys.readouterr().out.strip() == NOTHING_TO_DO


def test_the_webhook_must_be_configured(db, settings):
    settings.BACKEND_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match=WEBHOOK_NOT_CONFIGURED_ERROR):
        call_command("redeliver_webhooks")
