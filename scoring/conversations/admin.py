from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from scoring.conversations.delivery import grades_redeliver
from scoring.conversations.models import Bot, ConversationGrade
from scoring.core.admin import ReadOnlyAdmin
from scoring.core.exceptions import ApplicationError


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin):
    """The backend's chat bots. One without a name was registered by its first grading task
    (GRADING_STRICT_BOTS=true refuses a bot_id not listed here instead)."""

    list_display = ("bot_id", "name", "account", "owner", "created_at")
    list_filter = ("account",)
    search_fields = ("bot_id", "name")
    list_select_related = ("account", "owner")
    readonly_fields = ("created_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            # Members of some account only; Bot.clean checks it is the bot's.
            kwargs["queryset"] = get_user_model().objects.filter(membership__isnull=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


REDELIVERED_MESSAGE = "Redelivered: {delivered} delivered, {failed} failed, {skipped} skipped."


@admin.register(ConversationGrade)
class ConversationGradeAdmin(ReadOnlyAdmin):
    list_display = (
        "task_id", "visitor_id", "bot", "lead_score", "lead_category", "delivery_status",
        "delivery_attempts", "graded_at",
    )  # fmt: skip
    # delivery_status "failed": results the backend has not got; "Redeliver webhook" retries.
    list_filter = ("lead_category", "delivery_status", "account")
    search_fields = ("task_id", "visitor_id")
    date_hierarchy = "graded_at"
    list_select_related = ("bot", "account")
    readonly_fields = [field.name for field in ConversationGrade._meta.fields]
    actions = ("redeliver_webhook",)

    # Grades come from graded tasks and are kept as graded; only their delivery is retried.
    def has_redeliver_permission(self, request):
        # The model's change permission, which ReadOnlyAdmin withholds from the change
        # form only.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Redeliver webhook", permissions=["redeliver"])
    def redeliver_webhook(self, request, queryset):
        """Deliver the selected grades' results now: failed and pending ones; those
        delivered, answered over HTTP or being delivered are skipped."""
        try:
            counts = grades_redeliver(grades=queryset)
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return
        level = messages.WARNING if counts["failed"] else messages.SUCCESS
        self.message_user(request, REDELIVERED_MESSAGE.format(**counts), level=level)
