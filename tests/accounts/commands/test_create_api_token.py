"""`manage.py create_api_token USER [--name NAME]` prints a new API key, once."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from scoring.accounts.management.commands.create_api_token import UNKNOWN_USER_ERROR
from scoring.accounts.models import ApiKey, AuditEvent
from scoring.accounts.services import api_key_hash
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def create_api_token(*args):
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_prints_a_key_that_authenticates(user, account):
    offer = OfferFactory(account=account)

    output = create_api_token(user.username)

    raw_key = output.strip()
    assert output.count("\n") == 1 and " " not in raw_key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    response = client.get("/api/offers/")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [offer.id]


def test_stores_only_the_hash_for_the_user_with_the_name(user):
    raw_key = create_api_token(user.username, "--name", "ci runner").strip()

    api_key = ApiKey.objects.get()
    assert (api_key.user, api_key.name) == (user, "ci runner")
    assert api_key.key_hash == api_key_hash(raw_key)
    assert raw_key.split("_")[1] == api_key.prefix
    assert raw_key not in str(ApiKey.objects.values().get())


def test_without_name_the_label_is_empty(user):
    create_api_token(user.username)

    assert ApiKey.objects.get().name == ""


def test_each_run_makes_a_new_key_and_is_audited(user, account):
    first = create_api_token(user.username).strip()
    second = create_api_token(user.username).strip()

    assert first != second
    assert ApiKey.objects.filter(user=user).count() == 2
    events = AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_CREATED)
    assert [(e.account, e.user) for e in events] == [(account, user), (account, user)]


def test_unknown_user_is_a_command_error_and_creates_nothing(db):
    with pytest.raises(CommandError) as excinfo:
        create_api_token("ghost")

    assert str(excinfo.value) == UNKNOWN_USER_ERROR.format(username="ghost")
    assert not ApiKey.objects.exists()
    assert not AuditEvent.objects.exists()
