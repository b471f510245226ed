from django.apps import AppConfig


class LeadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring.leads"
    # The label the one app had before the domains were split out: tables, migrations,
    # content types and permissions keep their names.
    label = "scoring"
    verbose_name = "Lead scoring"

    def ready(self):
        # Fail at start-up, not on the first lead, when LLM_PROVIDER names no provider.
        from scoring.llm import language_model_from_settings

        language_model_from_settings()
