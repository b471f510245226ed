from django.apps import AppConfig


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = "Lead scoring"

    def ready(self):
        # Fail at start-up, not on the first lead, when LLM_PROVIDER names no provider.
        from scoring.providers import provider_from_settings

        provider_from_settings()
