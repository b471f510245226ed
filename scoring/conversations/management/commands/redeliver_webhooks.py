"""Deliver again the grading results whose webhook failed (or whose consumer died)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scoring.conversations.delivery import (
    WEBHOOK_NOT_CONFIGURED_ERROR,
    grades_redeliver,
)
from scoring.conversations.selectors import grades_awaiting_delivery

SUMMARY = "{delivered} delivered, {failed} failed again, {skipped} skipped."
NOTHING_TO_DO = "No grades awaiting delivery."


class Command(BaseCommand):
    help = (
        "POST every failed (or abandoned pending) grading result to BACKEND_WEBHOOK_URL again. "
        "Exits with status 1 when some still fail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--task-id", action="append", dest="task_ids", help="Only these tasks (repeatable)."
        )

    def handle(self, *args, task_ids=None, **options):
        if not (settings.BACKEND_WEBHOOK_URL and settings.BACKEND_WEBHOOK_SECRET):
            raise CommandError(WEBHOOK_NOT_CONFIGURED_ERROR)
        grades = grades_awaiting_delivery()
        if task_ids:
            grades = grades.filter(task_id__in=task_ids)
        if not grades.exists():
            self.stdout.write(NOTHING_TO_DO)
            return
        counts = grades_redeliver(grades=grades)
        self.stdout.write(SUMMARY.format(**counts))
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} deliveries still fail; see last_error.")
