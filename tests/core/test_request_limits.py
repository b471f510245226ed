"""Bodies the API must refuse as bad input rather than fail on: JSON nested too deeply for
the parser, and offers larger than any real offer."""

import pytest
from django.conf import settings

from scoring.core.parsers import TOO_DEEP_ERROR
from tests.conversation_tasks import SEED_TASK
from tests.factories import SEED_OFFER, OfferFactory
from tests.test_settings import PRODUCTION_ENV, run_python

pytestmark = pytest.mark.django_db

DEPTH = 100_000  # far past the ~1,000 levels where json's scanner gives up


def deeply_nested() -> str:
    return "[" * DEPTH + "]" * DEPTH


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/offers/"),
        ("post", "/product/offer/"),
        ("post", "/api/conversations/grade/"),
        ("patch", "offer"),
    ],
)
def test_json_nested_too_deeply_is_a_400(api_client, account, bot, method, path):
    if path == "offer":
        path = f"/api/offers/{OfferFactory(account=account).pk}/"

    response = getattr(api_client, method)(path, deeply_nested(), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": TOO_DEEP_ERROR}


def test_a_deep_but_parseable_value_in_a_task_is_refused_or_graded_never_a_500(api_client, bot):
    nested = {}
    for _ in range(500):
        nested = {"n": nested}
    task = {**SEED_TASK, "visitor_profile": nested}

    response = api_client.post("/api/conversations/grade/", task, format="json")

    assert response.status_code in (200, 201, 400)


@pytest.mark.parametrize("path", ["/api/offers/", "/product/offer/"])
@pytest.mark.parametrize("field", ["value_props", "ideal_use_cases"])
def test_an_offer_with_more_items_than_the_limit_is_a_400_naming_the_field(api_client, path, field):
    limit = settings.OFFER_MAX_LIST_ITEMS
    offer = {**SEED_OFFER, field: [f"Item {i}" for i in range(limit + 1)]}

    response = api_client.post(path, offer, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == (
        f"{field}: Ensure this field has no more than {limit} elements."
    )


def test_an_offer_at_the_limit_is_taken(api_client):
    limit = settings.OFFER_MAX_LIST_ITEMS
    offer = {**SEED_OFFER, "value_props": [f"Item {i}" for i in range(limit)]}

    assert api_client.post("/api/offers/", offer, format="json").status_code == 201


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_docs_need_a_key_unless_public(settings, client, api_client, path):
    settings.ALLOW_ANONYMOUS_DEMO = False
    settings.API_DOCS_PUBLIC = False

    assert client.get(path).status_code == 401  # anonymous
    assert api_client.get(path).status_code == 200  # with an API key

    settings.API_DOCS_PUBLIC = True
    assert client.get(path).status_code == 200


def test_the_docs_are_public_by_default_only_in_development():
    show = "import intentscore.settings as s; print(s.API_DOCS_PUBLIC)"
    assert run_python("-c", show, **PRODUCTION_ENV).stdout.strip() == "False"
    assert run_python("-c", show, DEBUG="true").stdout.strip() == "True"
    assert run_python("-c", show, **PRODUCTION_ENV, API_DOCS_PUBLIC="true").stdout.strip() == (
        "True"
    )
