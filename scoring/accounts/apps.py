from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Accounts, their members and API keys, and the audit trail."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring.accounts"
    label = "accounts"
    verbose_name = "Accounts"
