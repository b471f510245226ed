"""Start-up checks of the consumer command; consuming itself is tested against RabbitMQ in
tests/integration/test_grading_consumer.py."""

import pytest
from django.core.management import CommandError, call_command

from scoring.conversations.delivery import WEBHOOK_NOT_CONFIGURED_ERROR
from scoring.conversations.management.commands import consume_grading_tasks


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
