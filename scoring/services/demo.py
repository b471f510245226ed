"""The local demo's data: the seed's sample offer and leads, and an admin user."""

import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from scoring.models import LeadUpload, Offer
from scoring.services.leads import leads_import
from scoring.services.offers import offer_create

SAMPLE_OFFER_PATH = settings.BASE_DIR / "fixtures" / "sample_offer.json"
SAMPLE_LEADS_PATH = settings.BASE_DIR / "fixtures" / "leads.csv"
DEMO_ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class DemoSetup:
    offer: Offer | None
    upload: LeadUpload | None
    admin_username: str | None
    admin_password: str | None


@transaction.atomic
def demo_data_ensure() -> DemoSetup:
    """Load the sample offer and leads into an empty database, and create an admin user
    when there is no superuser. Anything already there is left alone, so this runs safely
    on every `make run`; returns what it created (None for what it did not)."""
    offer = upload = password = None
    if not Offer.objects.exists() and not LeadUpload.objects.exists():
        offer = offer_create(**json.loads(SAMPLE_OFFER_PATH.read_text()))
        with SAMPLE_LEADS_PATH.open("rb") as sample:
            upload = leads_import(file=sample, file_name=SAMPLE_LEADS_PATH.name)
    user_model = get_user_model()
    admin_username = None
    if not user_model.objects.filter(is_superuser=True).exists():
        admin_username = DEMO_ADMIN_USERNAME
        # An ordinary user may already have taken the name.
        while user_model.objects.filter(username=admin_username).exists():
            admin_username = f"{DEMO_ADMIN_USERNAME}-{secrets.token_hex(2)}"
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=admin_username, email="", password=password)
    return DemoSetup(
        offer=offer, upload=upload, admin_username=admin_username, admin_password=password
    )
