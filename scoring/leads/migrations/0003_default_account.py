"""Data that existed before accounts belongs to the default account, and so do its users."""

from django.conf import settings
from django.db import migrations

DEFAULT_ACCOUNT_SLUG = "default"


def assign_default_account(apps, schema_editor):
    Account = apps.get_model("scoring", "Account")
    account, _ = Account.objects.get_or_create(
        slug=DEFAULT_ACCOUNT_SLUG, defaults={"name": "Default"}
    )
    for model_name in ("Offer", "LeadUpload", "Lead", "Score"):
        apps.get_model("scoring", model_name).objects.filter(account=None).update(account=account)
    Membership = apps.get_model("scoring", "Membership")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Membership.objects.bulk_create(
        Membership(user=user, account=account)
        for user in User.objects.filter(membership__isnull=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0002_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(assign_default_account, migrations.RunPython.noop)]
