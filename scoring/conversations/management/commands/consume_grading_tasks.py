"""Consume visitor grading tasks from RabbitMQ until SIGTERM or Ctrl-C."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scoring.conversations.consumer import GradingConsumer
from scoring.conversations.delivery import WEBHOOK_NOT_CONFIGURED_ERROR
from scoring.conversations.selectors import UnknownGradingAccount, grading_account_from_settings

BAD_CONCURRENCY_ERROR = "--concurrency must be at least 1."


class Command(BaseCommand):
    help = (
        "Grade the visitor conversations published to GRADING_QUEUE and deliver each result "
        "to BACKEND_WEBHOOK_URL, for GRADING_ACCOUNT's bots only when it is set. SIGTERM or "
        "Ctrl-C: finish the tasks in flight, then exit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queue", default=settings.GRADING_QUEUE)
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.MAX_CONCURRENT_TASKS,
            help="Tasks in progress at once (default MAX_CONCURRENT_TASKS).",
        )
        parser.add_argument("--broker", default=settings.GRADING_BROKER_URL)

    def handle(self, *args, queue, concurrency, broker, **options):
        if not (settings.BACKEND_WEBHOOK_URL and settings.BACKEND_WEBHOOK_SECRET):
            raise CommandError(WEBHOOK_NOT_CONFIGURED_ERROR)
        if concurrency < 1:
            raise CommandError(BAD_CONCURRENCY_ERROR)
        try:
            account = grading_account_from_settings()
        except UnknownGradingAccount as error:
            raise CommandError(error.message) from None
        consumer = GradingConsumer(
            broker_url=broker, queue_name=queue, concurrency=concurrency, account=account
        )
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: consumer.stop())
        consumer.run()
