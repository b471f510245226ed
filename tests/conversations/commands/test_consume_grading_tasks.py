"""Start-up checks of the consumer command; consuming itself is tested against RabbitMQ in
tests/integration/test_grading_consumer.py."""

import pytest
from django.core.management import CommandError, call_command

from scoring.conversations.delivery import WEBHOOK_NOT_CONFIGURED_ERROR
from scoring.conversations.management.commands import consume_grading_tasks
from scoring.conversations.selectors import UNKNOWN_GRADING_ACCOUNT_ERROR
from tests.factories import AccountFactory


@pytest.fixture
def webhook_settings(settings):
    settings.BACKEND_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    settings.BACKEND_WEBHOOK_SECRET = "a-secret-value"
    return settings


class ConsumerStandIn:
    """Records how the command made it; consumes nothing."""

    made = []

    def __init__(self, **kwargs):
        self.made.append(kwargs)

    def run(self):
        pass

    def stop(self):
        pass


@pytest.fixture
def consumers_made(monkeypatch):
    monkeypatch.setattr(consume_grading_tasks, "GradingConsumer", ConsumerStandIn)
    ConsumerStandIn.made = []
    return ConsumerStandIn.made


@pytest.mark.parametrize("missing", ["BACKEND_WEBHOOK_URL", "BACKEND_WEBHOOK_SECRET"])
def test_the_consumer_refuses_to_start_without_the_webhook(settings, missing):
    settings.BACKEND_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    settings.BACKEND_WEBHOOK_SECRET = "a-secret-value"
    setattr(settings, missing, "")
    with pytest.raises(CommandError, match=WEBHOOK_NOT_CONFIGURED_ERROR):
        call_command("consume_grading_tasks")


def test_the_concurrency_must_be_positive(settings):
    settings.BACKEND_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    settings.BACKEND_WEBHOOK_SECRET = "a-secret-value"
    with pytest.raises(CommandError, match=consume_grading_tasks.BAD_CONCURRENCY_ERROR):
        call_command("consume_grading_tasks", "--concurrency", "0")


def test_an_unknown_grading_account_stops_start_up(webhook_settings, db, consumers_made):
    webhook_settings.GRADING_ACCOUNT = "nope"
    with pytest.raises(CommandError) as caught:
        call_command("consume_grading_tasks")
    assert str(caught.value) == UNKNOWN_GRADING_ACCOUNT_ERROR.format(slug="nope")
    assert consumers_made == []


def test_the_grading_account_scopes_the_consumer(webhook_settings, db, consumers_made):
    globex = AccountFactory(name="Globex")
    webhook_settings.GRADING_ACCOUNT = "globex"
    call_command("consume_grading_tasks")
    webhook_settings.GRADING_ACCOUNT = ""
    call_command("consume_grading_tasks")
    assert [made["account"] for made in consumers_made] == [globex, None]
