"""GET /results/ (streamed, or a page), GET /csv/ and GET /api/scores/ answer, byte for byte,
what their first implementation answered: three subqueries per lead for its latest score and
a serializer per item, kept here as the reference. Checked for an empty account, leads
without scores or with several, ties, an offer_id, a failed AI half, and text with unicode,
quotes, line separators and formula characters."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from scoring.leads.api.serializers import CompatResultSerializer, ScoreSerializer
from scoring.leads.lead_csv import EXPORT_HEADER, spreadsheet_safe
from scoring.leads.models import Intent, Lead, Score
from tests.factories import (
    AccountFactory,
    LeadFactory,
    OfferFactory,
    ScoreFactory,
    UserFactory,
    api_key_client,
)

pytestmark = pytest.mark.django_db

ODD_TEXT = 'Zoë “quoted” "double" \\back\\slash, comma\ttab\nline\u2028sep\u2029para 😀 — ok'
CSV_FIELDS = ("name", "role", "company", "industry", "location")


def reference_leads(account, offer=None):
    """The first implementation of leads_with_latest_score: a subquery per column."""
    latest = Score.objects.filter(lead=OuterRef("pk"))
    if offer is not None:
        latest = latest.filter(offer=offer)
    latest = latest.order_by("-scored_at", "-id")
    return (
        Lead.objects.filter(account=account)
        .order_by("id")
        .annotate(
            latest_score=Subquery(latest.values("score")[:1]),
            latest_intent=Subquery(latest.values("intent")[:1]),
            latest_reasoning=Subquery(latest.values("reasoning")[:1]),
        )
    )


def reference_results(account, offer=None) -> bytes:
    return JSONRenderer().render(
        CompatResultSerializer(reference_leads(account, offer), many=True).data
    )


def reference_csv(account, offer=None) -> str:
    rows = reference_leads(account, offer).values_list(
        *CSV_FIELDS, "latest_intent", "latest_score", "latest_reasoning"
    )
    # Written as the first implementation wrote it: csv.writer, every cell made safe.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def streamed(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def offers(account):
    return OfferFactory(account=account, name="First"), OfferFactory(account=account, name="Then")


@pytest.fixture
def mixed(account, offers):
    """Leads of every kind in the caller's account, and another account's beside them."""
    first, then = offers
    now = timezone.now()
    both = LeadFactory(account=account, name="Both offers")
    ScoreFactory(account=account, lead=both, offer=first, score=40, scored_at=now - timedelta(1))
    ScoreFactory(account=account, lead=both, offer=then, score=90, intent=Intent.HIGH)
    tied = LeadFactory(account=account, name="Tied")
    ScoreFactory(account=account, lead=tied, offer=first, score=11, scored_at=now)
    ScoreFactory(account=account, lead=tied, offer=then, score=22, scored_at=now)  # newer id
    LeadFactory(account=account, name="Never scored")
    odd = LeadFactory(
        account=account, name=ODD_TEXT, role="=HYPERLINK(1)", company="-Co", industry="+SaaS",
        location="@home", linkedin_bio=ODD_TEXT,
    )  # fmt: skip
    ScoreFactory(account=account, lead=odd, offer=first, reasoning=ODD_TEXT, score=7)
    failed = LeadFactory(account=account, name="AI failed", company="")
    ScoreFactory(
        account=account, lead=failed, offer=then, intent=None, ai_label="", reasoning="", score=30
    )
    # A creation time on the second: the API writes it without a fraction.
    Lead.objects.filter(pk=odd.pk).update(created_at=datetime(2026, 1, 31, 9, 30, tzinfo=UTC))
    other = AccountFactory(name="Other")
    ScoreFactory(account=other, lead=LeadFactory(account=other, name="Theirs"), score=99)
    return account


@pytest.fixture
def empty_client(db):
    """A client of an account with neither leads nor offers."""
    return api_key_client(UserFactory(membership__account=AccountFactory(name="Empty")))


def offer_params(offers, which):
    return {} if which is None else {"offer_id": offers[which].id}


@pytest.mark.parametrize("which", [None, 0, 1], ids=["latest", "first-offer", "then-offer"])
def test_the_streamed_list_is_the_first_implementations_bytes(api_client, mixed, offers, which):
    response = api_client.get("/results/", offer_params(offers, which))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    offer = None if which is None else offers[which]
    assert streamed(response) == reference_results(mixed, offer)


def test_the_streamed_list_of_an_account_without_leads_is_empty(empty_client):
    response = empty_client.get("/results/")

    assert response.status_code == 200
    assert streamed(response) == b"[]"


def test_many_leads_stream_in_blocks_in_order(api_client, account):
    upload = LeadFactory(account=account).upload
    Lead.objects.bulk_create(
        Lead(account=account, upload=upload, name=f"Bulk {n}") for n in range(4500)
    )
    ScoreFactory(account=account, lead=Lead.objects.filter(account=account).last())

    response = api_client.get("/results/")

    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # blocks of JSON_CHUNK_ITEMS, not one body
    assert b"".join(chunks) == reference_results(account)


@pytest.mark.parametrize("which", [None, 0, 1], ids=["latest", "first-offer", "then-offer"])
def test_every_page_holds_the_first_implementations_items(api_client, mixed, offers, which):
    offer = None if which is None else offers[which]
    expected = json.loads(reference_results(mixed, offer))
    url, params, seen = "/results/", {"limit": 2, **offer_params(offers, which)}, []
    while url:
        body = api_client.get(url, params).json()
        assert body["count"] == len(expected)
        seen += body["results"]
        url, params = body["next"], None

    assert seen == expected


def test_a_page_is_rendered_as_the_first_implementation_rendered_its_items(api_client, mixed):
    response = api_client.get("/results/", {"page": 1, "limit": 3})

    items = json.loads(reference_results(mixed))[:3]
    assert response.content.endswith(b'"results":' + JSONRenderer().render(items) + b"}")


def test_the_browsable_api_still_shows_the_list(client, user, mixed):
    client.force_login(user)

    response = client.get("/results/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Never scored" in response.content


@pytest.mark.parametrize("which", [None, 0, 1], ids=["latest", "first-offer", "then-offer"])
def test_the_csv_export_is_the_first_implementations_text(api_client, mixed, offers, which):
    response = api_client.get("/csv/", offer_params(offers, which))

    offer = None if which is None else offers[which]
    assert streamed(response).decode() == reference_csv(mixed, offer)


def test_the_csv_export_of_an_account_without_leads_is_its_header(empty_client):
    expected = reference_csv(AccountFactory(name="Empty"))

    assert streamed(empty_client.get("/csv/")).decode() == expected


# --- GET /api/scores/ --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "lead__name"}, {"intent": "High"}, {"search": "Zoë"}, {"page_size": 2}],
    ids=["default", "ordering", "filter", "search", "page-size"],
)
def test_score_list_items_are_the_serializers(api_client, mixed, params):
    response = api_client.get("/api/scores/", params)

    body = response.json()
    by_id = {score.id: score for score in Score.objects.filter(account=mixed)}
    expected = ScoreSerializer([by_id[item["id"]] for item in body["results"]], many=True).data
    assert body["results"] == json.loads(JSONRenderer().render(expected))
    assert response.content.endswith(b'"results":' + JSONRenderer().render(expected) + b"}")


def test_score_list_items_keep_odd_factors_as_the_serializer_has_them(api_client, mixed):
    score = Score.objects.filter(account=mixed).first()
    odd = [
        {"part": "role", "points": 20, "reason": "CEO"},
        {"reason": "Later key order", "points": -5, "part": "cap"},
        {"part": "ai", "points": 3, "reason": "extra", "extra": 1},
        {"part": "ai", "points": "7", "reason": 5},
    ]
    Score.objects.filter(pk=score.pk).update(
        factors=odd, latency_ms=None, input_tokens=12, ai_factors=["a", {"b": 1}],
        scored_at=datetime(2026, 2, 1, 8, 0, tzinfo=UTC),  # no fraction: none written
    )  # fmt: skip
    score.refresh_from_db()

    [item] = [i for i in api_client.get("/api/scores/").json()["results"] if i["id"] == score.id]

    assert item == json.loads(JSONRenderer().render(ScoreSerializer(score).data))
    assert item == api_client.get(f"/api/scores/{score.id}/").json()
