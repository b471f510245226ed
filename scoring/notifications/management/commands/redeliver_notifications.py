"""Send again the notifications that failed (or whose sender died)."""

from django.core.management.base import BaseCommand, CommandError

from scoring.notifications.selectors import notifications_awaiting_send
from scoring.notifications.services import notifications_resend

SUMMARY = "{sent} sent, {failed} failed again, {skipped} skipped."
NOTHING_TO_DO = "No notifications awaiting sending."
STILL_FAILING_ERROR = "{failed} notifications still fail; see last_error."


class Command(BaseCommand):
    help = (
        "Send every failed (or abandoned pending) hot-lead notification again, over the "
        "channels it has not gone out on. Exits with status 1 when some still fail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--event",
            action="append",
            dest="events",
            help="Only this event, e.g. conversation:42 or run:7 (repeatable).",
        )

    def handle(self, *args, events=None, **options):
        notifications = notifications_awaiting_send()
        if events:
            notifications = notifications.filter(event_key__in=events)
        if not notifications.exists():
            self.stdout.write(NOTHING_TO_DO)
            return
        counts = notifications_resend(notifications=notifications)
        self.stdout.write(SUMMARY.format(**counts))
        if counts["failed"]:
            raise CommandError(STILL_FAILING_ERROR.format(failed=counts["failed"]))
