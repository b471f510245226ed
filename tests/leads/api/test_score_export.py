"""GET /api/scores/export/: the scores /api/scores/ lists (same filters, search and ordering),
every part of each, as a streamed CSV attachment."""

import csv
import io
from datetime import UTC, datetime

import pytest

from scoring.leads.api.viewsets import SCORE_EXPORT_FILE_NAME, SCORE_EXPORT_HEADER
from scoring.leads.lead_csv import EXPORT_CHUNK_ROWS
from scoring.leads.models import AiStatus, Intent
from tests.factories import (
    AccountFactory,
    LeadFactory,
    OfferFactory,
    ScoreFactory,
    UserFactory,
    api_key_client,
)

pytestmark = pytest.mark.django_db

URL = "/api/scores/export/"


def export(client, params=None, **extra):
    response = client.get(URL, params or {}, **extra)
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def test_export_is_a_csv_attachment_with_every_part_of_the_score(api_client, account):
    lead = LeadFactory(
        account=account, name="Ada", role="CTO", company="Engines", industry="SaaS",
        location="London",
    )  # fmt: skip
    offer = OfferFactory(account=account)
    score = ScoreFactory(
        account=account, lead=lead, offer=offer, score=80, intent=Intent.HIGH,
        reasoning="Bio mentions analytics.", rule_score=50, role_points=20, role_keyword="cto",
        industry_points=20, industry_keyword="saas", completeness_points=10,
        ai_label=Intent.MEDIUM, ai_score=30, ai_factors=["bio: analytics", "signal: evaluating"],
        rule_set="fit", factors=[
            {"part": "role", "points": 20, "reason": "C-level in Engineering, a buying department"},
            {"part": "industry", "points": 20, "reason": "industry SaaS: a technology company"},
            {"part": "completeness", "points": 10, "reason": "complete"},
            {"part": "ai", "points": 30, "reason": "AI Medium: Bio mentions analytics."},
        ],
        provider="openai", model="gpt-4o-mini", prompt_version="v3",
        scored_at=datetime(2026, 1, 31, 9, 30, 0, 123456, tzinfo=UTC),
    )  # fmt: skip

    response = api_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{SCORE_EXPORT_FILE_NAME}"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.splitlines()[0] == ",".join(SCORE_EXPORT_HEADER)
    [row] = list(csv.DictReader(io.StringIO(body, newline="")))
    assert row == {
        "id": str(score.id), "lead_id": str(lead.id), "name": "Ada", "role": "CTO",
        "company": "Engines", "industry": "SaaS", "location": "London",
        "offer_id": str(offer.id), "score": "80", "intent": "High",
        "reasoning": "Bio mentions analytics.", "rule_score": "50", "role_points": "20",
        "role_keyword": "cto", "industry_points": "20", "industry_keyword": "saas",
        "completeness_points": "10", "rule_set": "fit",
        "factors": "role +20 C-level in Engineering, a buying department; "
        "industry +20 industry SaaS: a technology company; completeness +10 complete; "
        "ai +30 AI Medium: Bio mentions analytics.",
        "ai_status": "ok", "ai_error": "", "ai_label": "Medium",
        "ai_score": "30", "ai_factors": "bio: analytics; signal: evaluating",
        "provider": "openai", "model": "gpt-4o-mini", "prompt_version": "v3",
        "scored_at": "2026-01-31T09:30:00.123456Z",
    }  # fmt: skip
    # The time as the JSON API gives it.
    assert api_client.get(f"/api/scores/{score.id}/").json()["scored_at"] == row["scored_at"]


def test_export_shows_a_failed_ai_call_with_its_error_and_no_intent(api_client, account):
    ScoreFactory(
        account=account, ai_status=AiStatus.FAILED, ai_error="timeout", ai_label="",
        ai_score=0, ai_factors=[], intent=None, score=50,
    )  # fmt: skip

    [row] = export(api_client)

    assert (row["ai_status"], row["ai_error"], row["intent"]) == ("failed", "timeout", "")
    assert (row["ai_label"], row["ai_factors"], row["score"]) == ("", "", "50")


def test_export_lists_the_same_scores_in_the_same_order_as_the_list(api_client, account):
    for value in (40, 90, 65, 90):
        ScoreFactory(account=account, score=value)

    rows = export(api_client)

    listed = api_client.get("/api/scores/").json()["results"]
    assert [int(row["id"]) for row in rows] == [item["id"] for item in listed]
    assert [row["score"] for row in rows] == ["90", "90", "65", "40"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"intent": "High"}, {"hot"}),
        ({"min_score": 50}, {"hot", "warm"}),
        ({"max_score": 50}, {"warm", "cold"}),
        ({"industry": "retail"}, {"cold"}),
        ({"provider": "openai"}, {"warm"}),
        ({"search": "Initech"}, {"warm"}),
        ({"intent": "Low", "min_score": 20}, {"cold"}),
    ],
    ids=["intent", "min-score", "max-score", "industry", "provider", "search", "combined"],
)
def test_export_takes_the_lists_filters(api_client, account, params, expected):
    offer = OfferFactory(account=account)
    ScoreFactory(account=account, offer=offer, lead__name="hot", score=90, intent=Intent.HIGH)
    ScoreFactory(
        account=account, offer=offer, lead__name="warm", lead__company="Initech", score=50,
        intent=Intent.MEDIUM, provider="openai",
    )  # fmt: skip
    ScoreFactory(
        account=account, offer=offer, lead__name="cold", lead__industry="Retail", score=20,
        intent=Intent.LOW,
    )  # fmt: skip

    rows = export(api_client, params)

    assert {row["name"] for row in rows} == expected
    listed = api_client.get("/api/scores/", params).json()["results"]
    assert {int(row["id"]) for row in rows} == {item["id"] for item in listed}


def test_export_filters_by_offer_and_orders_as_asked(api_client, account):
    first, second = OfferFactory(account=account), OfferFactory(account=account)
    ScoreFactory(account=account, offer=first, lead__name="b", score=10)
    ScoreFactory(account=account, offer=first, lead__name="a", score=20)
    ScoreFactory(account=account, offer=second, lead__name="c", score=30)

    rows = export(api_client, {"offer": first.id, "ordering": "lead__name"})

    assert [row["name"] for row in rows] == ["a", "b"]
    assert {row["offer_id"] for row in rows} == {str(first.id)}


def test_export_never_includes_another_accounts_scores(api_client, account):
    other = AccountFactory(name="Other")
    ScoreFactory(account=account, lead__name="ours")
    theirs = ScoreFactory(account=other, lead__name="theirs")

    assert [row["name"] for row in export(api_client)] == ["ours"]
    their_client = api_key_client(UserFactory(membership__account=other))
    assert [row["id"] for row in export(their_client)] == [str(theirs.id)]


def test_export_by_another_accounts_offer_is_a_400_like_an_unknown_one(api_client, account):
    theirs = OfferFactory(account=AccountFactory(name="Other"))

    response = api_client.get(URL, {"offer": theirs.id})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].startswith("offer:")


@pytest.mark.parametrize("params", [{"min_score": "high"}, {"intent": "Lukewarm"}])
def test_export_bad_filter_is_a_json_400(api_client, params):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{next(iter(params))}:")


def test_export_is_csv_whatever_accept_asks_for(api_client, account):
    ScoreFactory(account=account)

    for accept in ("text/csv", "application/json", "*/*"):
        response = api_client.get(URL, HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"].startswith("text/csv"), accept


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralises_formula_cells(api_client, account, prefix):
    formula = f'{prefix}HYPERLINK("http://evil.test")'
    ScoreFactory(account=account, lead__name=formula, reasoning=formula, ai_factors=[formula, "ok"])

    [row] = export(api_client)

    assert row["name"] == row["reasoning"] == "'" + formula
    assert row["ai_factors"] == f"'{formula}; ok"


def test_export_of_more_rows_than_one_block_has_every_score_once(api_client, account):
    offer = OfferFactory(account=account)
    count = EXPORT_CHUNK_ROWS * 2 + 3
    leads = LeadFactory.create_batch(count, account=account)
    scores = [ScoreFactory.build(account=account, lead=lead, offer=offer) for lead in leads]
    type(scores[0]).objects.bulk_create(scores)

    response = api_client.get(URL)

    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 3  # the header, then blocks of EXPORT_CHUNK_ROWS rows
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert sorted(int(row["lead_id"]) for row in rows) == sorted(lead.id for lead in leads)


def test_export_without_scores_is_the_header_alone(api_client):
    response = api_client.get(URL)

    assert b"".join(response.streaming_content).decode() == ",".join(SCORE_EXPORT_HEADER) + "\r\n"
