from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`make run`'s sample data (`manage.py demo_setup`); no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring.demo"
    label = "demo"
    verbose_name = "Demo"
