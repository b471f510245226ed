import io
import json
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from scoring.accounts.services import default_account
from scoring.conversations.models import Bot
from scoring.demo.management.commands.demo_setup import NOTHING_TO_DO_MESSAGE
from scoring.demo.services import DEMO_ADMIN_USERNAME, DEMO_BOT_ID
from scoring.leads.models import Lead, LeadUpload, Offer
from tests.factories import SEED_OFFER, AccountFactory, LeadUploadFactory, OfferFactory

pytestmark = pytest.mark.django_db

PASSWORD_PATTERN = re.compile(
    rf"Created the admin user '{re.escape(DEMO_ADMIN_USERNAME)}' with password '([^']+)'"
)


def demo_setup():
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    return out.getvalue()


def printed_password(output):
    match = PASSWORD_PATTERN.search(output)
    assert match, output
    return match.group(1)


def test_demo_setup_loads_the_sample_offer_and_leads_into_an_empty_database():
    output = demo_setup()

    offer = Offer.objects.get()
    assert offer.name == "AI Analytics Platform Pro"
    assert offer.value_props == SEED_OFFER["value_props"]
    assert offer.ideal_use_cases == SEED_OFFER["ideal_use_cases"]
    upload = LeadUpload.objects.get()
    assert upload.file_name == "leads.csv"
    assert upload.row_count == 20
    assert Lead.objects.count() == 20
    assert set(Lead.objects.values_list("upload_id", flat=True)) == {upload.pk}
    assert "Loaded the sample offer 'AI Analytics Platform Pro'." in output
    assert "Loaded 20 sample leads." in output


def test_demo_setup_adds_the_seeds_bot_so_its_example_task_can_be_graded(settings):
    output = demo_setup()
    bot = Bot.objects.get()
    assert (bot.bot_id, bot.account) == (DEMO_BOT_ID, default_account())
    assert f"Added the bot '{DEMO_BOT_ID}'" in output
    task = json.loads((settings.BASE_DIR / "fixtures" / "conversation_task.json").read_text())
    assert task["bot_id"] == DEMO_BOT_ID


def test_demo_setup_creates_a_superuser_whose_printed_password_works():
    output = demo_setup()

    admin = get_user_model().objects.get()
    assert admin.username == DEMO_ADMIN_USERNAME
    assert admin.is_superuser
    assert admin.is_staff
    password = printed_password(output)
    assert authenticate(username=DEMO_ADMIN_USERNAME, password=password) == admin
    assert authenticate(username=DEMO_ADMIN_USERNAME, password=password + "x") is None


def test_demo_setup_twice_creates_nothing_more_and_says_so():
    first_output = demo_setup()
    password = printed_password(first_output)

    second_output = demo_setup()

    assert second_output.strip() == NOTHING_TO_DO_MESSAGE
    assert Offer.objects.count() == 1
    assert LeadUpload.objects.count() == 1
    assert Lead.objects.count() == 20
    assert Bot.objects.count() == 1
    assert get_user_model().objects.count() == 1
    # The first password still works: the second run did not reset it.
    assert authenticate(username=DEMO_ADMIN_USERNAME, password=password) is not None


@pytest.mark.parametrize(
    "existing_factory", [OfferFactory, LeadUploadFactory], ids=["offer", "upload"]
)
def test_demo_setup_loads_no_sample_data_when_the_default_account_has_data(existing_factory):
    existing = existing_factory(account=default_account())

    output = demo_setup()

    assert list(type(existing).objects.all()) == [existing]
    assert Offer.objects.count() == (1 if existing_factory is OfferFactory else 0)
    assert LeadUpload.objects.count() == (1 if existing_factory is LeadUploadFactory else 0)
    assert not Lead.objects.exists()
    assert "Loaded" not in output
    # The admin user is still created: it does not depend on the sample data.
    assert get_user_model().objects.get().username == DEMO_ADMIN_USERNAME
    printed_password(output)


def test_demo_setup_loads_the_sample_into_the_default_account_whatever_others_hold():
    OfferFactory(account=AccountFactory(name="Other"))

    demo_setup()

    assert Offer.objects.filter(account=default_account()).count() == 1
    assert Lead.objects.filter(account=default_account()).count() == 20


def test_demo_setup_gives_the_admin_the_default_account_and_a_working_api_key(api_client):
    output = demo_setup()

    admin = get_user_model().objects.get(username=DEMO_ADMIN_USERNAME)
    assert admin.membership.account == default_account()
    raw_key = re.search(r"API key .*: (isk_\S+)", output).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    response = client.get("/api/leads/")
    assert response.status_code == 200
    assert response.json()["count"] == 20


def test_demo_setup_creates_no_second_admin_when_a_superuser_exists(django_user_model):
    boss = django_user_model.objects.create_superuser(username="boss", password="s3cret-pass")

    output = demo_setup()

    assert list(django_user_model.objects.all()) == [boss]
    assert not django_user_model.objects.filter(username=DEMO_ADMIN_USERNAME).exists()
    assert "Created the admin user" not in output
    assert "Loaded 20 sample leads." in output


def test_demo_setup_creates_the_admin_when_only_ordinary_users_exist(django_user_model):
    django_user_model.objects.create_user(username="carol", password="s3cret-pass", is_staff=True)

    output = demo_setup()

    admin = django_user_model.objects.get(username=DEMO_ADMIN_USERNAME)
    assert admin.is_superuser
    assert django_user_model.objects.count() == 2
    assert authenticate(username=DEMO_ADMIN_USERNAME, password=printed_password(output)) == admin


def test_demo_setup_picks_another_admin_name_when_admin_is_an_ordinary_user(django_user_model):
    django_user_model.objects.create_user(username=DEMO_ADMIN_USERNAME, password="s3cret-pass")

    output = demo_setup()

    created = django_user_model.objects.get(is_superuser=True)
    assert created.username.startswith(f"{DEMO_ADMIN_USERNAME}-")
    assert f"Created the admin user '{created.username}'" in output
