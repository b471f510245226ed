from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Telling an account about its hot leads: one record per event, sent by email and Slack."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring.notifications"
    label = "notifications"
    verbose_name = "Notifications"
