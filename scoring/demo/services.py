"""The local demo's data: the seed's sample offer and leads, and an admin user."""

import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from scoring.accounts.services import api_key_create, default_account, membership_set
from scoring.conversations.models import Bot
from scoring.leads.matcher import LocalAssessor
from scoring.leads.models import LeadUpload, Offer
from scoring.leads.services.leads import leads_import
from scoring.leads.services.offers import offer_create

SAMPLE_OFFER_PATH = settings.BASE_DIR / "fixtures" / "sample_offer.json"
SAMPLE_LEADS_PATH = settings.BASE_DIR / "fixtures" / "leads.csv"
DEMO_ADMIN_USERNAME = "admin"
# The bot of the seed's example grading task (fixtures/conversation_task.json).
DEMO_BOT_ID = "bot_123"


@dataclass(frozen=True)
class DemoSetup:
    offer: Offer | None
    upload: LeadUpload | None
    bot: Bot | None
    admin_username: str | None
    admin_password: str | None
    admin_api_key: str | None


@transaction.atomic
def demo_data_ensure() -> DemoSetup:
    """Load the sample offer and leads into an empty default account, add the seed's bot to
    it when there is no bot at all, and create an admin user in that account when there is
    no superuser. Anything already there is left alone,
    so this runs safely on every `make run`; returns what it created (None for what it did
    not)."""
    offer = upload = password = api_key = None
    account = default_account()
    if not Offer.objects.filter(account=account).exists() and not (
        LeadUpload.objects.filter(account=account).exists()
    ):
        # The local vocabulary reads its buyer profile: no remote call inside this transaction.
        offer = offer_create(
            account=account,
            **json.loads(SAMPLE_OFFER_PATH.read_text()),
            provider=LocalAssessor(),
        )
        with SAMPLE_LEADS_PATH.open("rb") as sample:
            upload = leads_import(account=account, file=sample, file_name=SAMPLE_LEADS_PATH.name)
    bot = None
    if not Bot.objects.exists():
        bot = Bot.objects.create(account=account, bot_id=DEMO_BOT_ID, name="Demo website bot")
    user_model = get_user_model()
    admin_username = None
    if not user_model.objects.filter(is_superuser=True).exists():
        admin_username = DEMO_ADMIN_USERNAME
        # An ordinary user may already have taken the name.
        while user_model.objects.filter(username=admin_username).exists():
            admin_username = f"{DEMO_ADMIN_USERNAME}-{secrets.token_hex(2)}"
        password = secrets.token_urlsafe(12)
        admin = user_model.objects.create_superuser(
            username=admin_username, email="", password=password
        )
        membership_set(user=admin, account=account)
        _, api_key = api_key_create(user=admin, name="demo")
    return DemoSetup(
        offer=offer,
        upload=upload,
        bot=bot,
        admin_username=admin_username,
        admin_password=password,
        admin_api_key=api_key,
    )
