from django.contrib import admin, messages

from scoring.core.admin import ReadOnlyAdmin
from scoring.notifications.models import Notification
from scoring.notifications.services import notifications_resend

RESENT_MESSAGE = "Resent: {sent} sent, {failed} failed, {skipped} skipped."


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "event_key", "account", "status", "email_status", "slack_status", "attempts",
        "created_at", "sent_at",
    )  # fmt: skip
    # status "failed": nobody was told yet; "Resend notification" tries again.
    list_filter = ("status", "email_status", "slack_status", "account")
    search_fields = ("event_key", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("account",)
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ("resend_notification",)

    # Notifications are kept as written; only their sending is retried.
    def has_resend_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Resend notification", permissions=["resend"])
    def resend_notification(self, request, queryset):
        """Send the selected notifications' unsent channels now; those sent, with nobody to
        tell, or being sent are skipped."""
        counts = notifications_resend(notifications=queryset)
        level = messages.WARNING if counts["failed"] else messages.SUCCESS
        self.message_user(request, RESENT_MESSAGE.format(**counts), level=level)
