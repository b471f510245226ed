from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """Visitor conversations graded hot/warm/cold, delivered by webhook."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring.conversations"
    label = "conversations"
    verbose_name = "Conversations"
