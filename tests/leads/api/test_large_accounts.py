"""The seed's read endpoints for large accounts. GET /results/: ?page= and ?limit= answer one
page in an envelope; without them the seed's plain list, up to RESULTS_MAX_ROWS leads, beyond
which a 400 says what to do. GET /csv/: streamed in blocks of rows, any number of them."""

import csv
import io

import pytest
from django.conf import settings as django_settings

from scoring.core.pagination import MAX_PAGE_SIZE
from scoring.leads.api.compat import RESULTS_TOO_MANY_ERROR
from scoring.leads.lead_csv import EXPORT_CHUNK_ROWS, EXPORT_HEADER
from scoring.leads.models import Lead
from tests.factories import AccountFactory, LeadFactory, ScoreFactory

pytestmark = pytest.mark.django_db

URL = "/results/"
DEFAULT_PAGE_SIZE = django_settings.REST_FRAMEWORK["PAGE_SIZE"]
RESULT_KEYS = {
    "id", "name", "role", "company", "industry", "location", "linkedin_bio",
    "intent", "score", "reasoning", "created_at",
}  # fmt: skip


@pytest.fixture
def leads(account):
    """Seven leads of the caller's account, the first one scored."""
    created = LeadFactory.create_batch(7, account=account)
    ScoreFactory(account=account, lead=created[0], score=77)
    return created


def test_page_and_limit_answer_an_envelope_of_the_seeds_items(api_client, leads):
    response = api_client.get(URL, {"page": 1, "limit": 3})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7
    assert [item["id"] for item in body["results"]] == [lead.id for lead in leads[:3]]
    assert all(set(item) == RESULT_KEYS for item in body["results"])
    assert body["results"][0]["score"] == 77
    assert body["previous"] is None
    assert body["next"].endswith("/results/?limit=3&page=2")


def test_following_next_walks_every_lead_once_in_order(api_client, leads):
    url, seen = f"{URL}?limit=3", []
    while url:
        body = api_client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]

    assert seen == [lead.id for lead in leads]


def test_last_page_links_back(api_client, leads):
    body = api_client.get(URL, {"page": 3, "limit": 3}).json()

    assert [item["id"] for item in body["results"]] == [leads[6].id]
    assert body["next"] is None
    assert body["previous"].endswith("/results/?limit=3&page=2")


def test_page_alone_uses_the_apis_default_page_size(api_client, account, leads):
    LeadFactory.create_batch(50, account=account)

    body = api_client.get(URL, {"page": 1}).json()

    assert body["count"] == 57
    assert len(body["results"]) == DEFAULT_PAGE_SIZE == 50
    assert body["next"].endswith("/results/?page=2")
    assert len(api_client.get(body["next"]).json()["results"]) == 7


def test_pages_keep_the_offer_id(api_client, account, leads):
    other = ScoreFactory(account=account, lead=leads[1], score=12)

    body = api_client.get(URL, {"offer_id": other.offer_id, "limit": 2}).json()

    assert [(item["id"], item["score"]) for item in body["results"]] == [
        (leads[0].id, None),
        (leads[1].id, 12),
    ]
    assert f"offer_id={other.offer_id}" in body["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": MAX_PAGE_SIZE + 1}, "limit"),
        ({"limit": 0}, "limit"),
        ({"page": 0}, "page"),
        ({"page": "last"}, "page"),
        ({"limit": "ten"}, "limit"),
    ],
    ids=["limit-too-large", "limit-zero", "page-zero", "page-not-a-number", "limit-not-a-number"],
)
def test_bad_page_or_limit_is_a_400_naming_it(api_client, leads, params, field):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}:")


def test_limit_of_the_maximum_is_accepted(api_client, leads):
    response = api_client.get(URL, {"limit": MAX_PAGE_SIZE})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 7


def test_a_page_past_the_last_is_a_404(api_client, leads):
    response = api_client.get(URL, {"page": 4, "limit": 3})

    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_without_page_or_limit_the_answer_is_still_the_seeds_plain_list(api_client, leads):
    response = api_client.get(URL)

    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert [item["id"] for item in response.json()] == [lead.id for lead in leads]


def test_more_leads_than_results_max_rows_is_a_400_asking_for_pages(api_client, leads, settings):
    settings.RESULTS_MAX_ROWS = 6

    response = api_client.get(URL)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error == RESULTS_TOO_MANY_ERROR.format(count=7, limit=6)
    assert "7 leads" in error
    assert "?page=" in error and "limit=" in error and "/csv/" in error
    # Pages and the CSV export still answer.
    assert api_client.get(URL, {"page": 2, "limit": 5}).json()["count"] == 7
    assert api_client.get("/csv/").status_code == 200


def test_exactly_results_max_rows_leads_is_still_the_plain_list(api_client, leads, settings):
    settings.RESULTS_MAX_ROWS = 7

    response = api_client.get(URL)

    assert response.status_code == 200
    assert len(response.json()) == 7


def test_results_max_rows_counts_only_the_callers_leads(api_client, leads, settings):
    settings.RESULTS_MAX_ROWS = 7
    LeadFactory.create_batch(3, account=AccountFactory(name="Other"))

    response = api_client.get(URL)

    assert response.status_code == 200
    assert len(response.json()) == 7


# --- GET /csv/ -----------------------------------------------------------------------------------


def test_csv_export_streams_blocks_of_rows_with_every_lead_once_in_order(api_client, account):
    upload = LeadFactory(account=account).upload
    Lead.objects.bulk_create(
        Lead(account=account, upload=upload, name=f"Bulk {n}", company=f"Co {n}")
        for n in range(EXPORT_CHUNK_ROWS * 2)
    )
    in_order = list(Lead.objects.filter(account=account).order_by("id"))
    scored = ScoreFactory(account=account, lead=in_order[-1], score=64, reasoning="Late fit.")

    response = api_client.get("/csv/")

    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 3  # the header, then blocks of EXPORT_CHUNK_ROWS rows
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert rows[0] == list(EXPORT_HEADER)
    assert [row[0] for row in rows[1:]] == [lead.name for lead in in_order]
    assert rows[-1][5:] == [scored.intent, "64", "Late fit."]
