"""Move dead-lettered grading tasks back to their queue, once what failed them is fixed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scoring.conversations.consumer import dead_letters_replay

BAD_LIMIT_ERROR = "--limit must be at least 1."
REPLAYED_MESSAGE = "Replayed {replayed} dead-lettered task(s) to {queue}; {kept} left."


class Command(BaseCommand):
    help = (
        "Move the tasks in <queue>.dead back to the queue (those whose x-dead-letter-reason "
        "contains --reason, at most --limit), for the consumer to grade again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queue", default=settings.GRADING_QUEUE)
        parser.add_argument("--broker", default=settings.GRADING_BROKER_URL)
        parser.add_argument(
            "--reason", default="", help="Only dead letters whose reason contains this."
        )
        parser.add_argument("--limit", type=int, help="At most this many.")

    def handle(self, *args, queue, broker, reason, limit, **options):
        if limit is not None and limit < 1:
            raise CommandError(BAD_LIMIT_ERROR)
        summary = dead_letters_replay(
            broker_url=broker, queue_name=queue, reason=reason, limit=limit
        )
        self.stdout.write(
            REPLAYED_MESSAGE.format(replayed=summary.replayed, queue=queue, kept=summary.kept)
        )
