"""The REST API under /api/: offers, uploads, leads, scores, and its OpenAPI schema and docs."""

import pytest

from scoring.core.api_errors import NOT_FOUND_ERROR
from scoring.leads.api.files import NO_FILE_ERROR
from scoring.leads.header_mapping import missing_fields_message
from scoring.leads.lead_csv import (
    NO_ROWS_ERROR,
)
from scoring.leads.models import Intent, Lead, LeadUpload, Offer, Score
from tests.factories import (
    CSV_HEADER,
    SEED_OFFER,
    LeadFactory,
    LeadUploadFactory,
    OfferFactory,
    ScoreFactory,
    csv_upload,
)

OFFERS_URL = "/api/offers/"
UPLOADS_URL = "/api/uploads/"
LEADS_URL = "/api/leads/"
SCORES_URL = "/api/scores/"

PAGE_KEYS = {"count", "next", "previous", "results"}
OFFER_KEYS = {
    "id", "name", "value_props", "ideal_use_cases", "buyer_profile", "rule_set", "created_at",
}  # fmt: skip
UPLOAD_KEYS = {"id", "file_name", "row_count", "created", "updated", "skipped", "created_at"}
LEAD_KEYS = {
    "id", "upload", "name", "role", "company", "industry", "location", "linkedin_bio",
    "seniority", "departments", "created_at",
}  # fmt: skip
SUMMARY_KEYS = {
    "offer", "scored", "skipped", "failed", "deferred", "calls", "input_tokens",
    "output_tokens", "seconds", "failures",
}  # fmt: skip
SEED_PATHS = ["/product/offer/", "/leads/upload/", "/score/", "/results/", "/csv/"]
API_PATHS = ["/api/offers/", "/api/scores/"]


def _counts():
    return (Offer.objects.count(), LeadUpload.objects.count(), Lead.objects.count())


def _ids(response):
    return [item["id"] for item in response.json()["results"]]


# --- /api/offers/ ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offer_list_is_paginated_newest_first(api_client):
    older, newer = OfferFactory(name="Older"), OfferFactory(name="Newer")

    response = api_client.get(OFFERS_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PAGE_KEYS
    assert body["count"] == 2
    assert (body["next"], body["previous"]) == (None, None)
    assert [item["id"] for item in body["results"]] == [newer.id, older.id]
    assert all(set(item) == OFFER_KEYS for item in body["results"])


@pytest.mark.django_db
def test_offer_create_returns_201_and_stores_it(api_client):
    response = api_client.post(OFFERS_URL, SEED_OFFER, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == OFFER_KEYS
    offer = Offer.objects.get()
    assert (body["id"], body["name"]) == (offer.id, SEED_OFFER["name"])
    assert offer.ideal_use_cases == SEED_OFFER["ideal_use_cases"]


def test_offer_retrieve(api_client, seed_offer):
    response = api_client.get(f"{OFFERS_URL}{seed_offer.id}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == OFFER_KEYS
    assert (body["id"], body["name"]) == (seed_offer.id, seed_offer.name)
    assert body["value_props"] == seed_offer.value_props


def test_offer_put_replaces_every_field(api_client, seed_offer):
    payload = {"name": "Renamed", "value_props": ["Fast"], "ideal_use_cases": ["Ops"]}

    response = api_client.put(f"{OFFERS_URL}{seed_offer.id}/", payload, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    seed_offer.refresh_from_db()
    assert (seed_offer.name, seed_offer.value_props, seed_offer.ideal_use_cases) == (
        "Renamed",
        ["Fast"],
        ["Ops"],
    )


def test_offer_patch_changes_only_the_given_field(api_client, seed_offer):
    response = api_client.patch(
        f"{OFFERS_URL}{seed_offer.id}/", {"value_props": ["Only this"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["value_props"] == ["Only this"]
    seed_offer.refresh_from_db()
    assert seed_offer.value_props == ["Only this"]
    assert seed_offer.name == SEED_OFFER["name"]
    assert seed_offer.ideal_use_cases == SEED_OFFER["ideal_use_cases"]


def test_offer_delete_removes_it_and_its_scores_but_not_the_leads(api_client, seed_offer):
    kept = ScoreFactory()
    ScoreFactory.create_batch(2, offer=seed_offer)

    response = api_client.delete(f"{OFFERS_URL}{seed_offer.id}/")

    assert response.status_code == 204
    assert not Offer.objects.filter(id=seed_offer.id).exists()
    assert list(Score.objects.values_list("id", flat=True)) == [kept.id]
    assert Lead.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix"), [("put", ""), ("patch", ""), ("delete", ""), ("post", "score/")]
)
def test_offer_missing_id_gives_404_json_error_and_changes_nothing(api_client, method, suffix):
    OfferFactory()
    LeadFactory()
    before = _counts()

    response = getattr(api_client, method)(
        f"{OFFERS_URL}987654/{suffix}", SEED_OFFER, format="json"
    )

    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    assert response.json()["error"]
    assert _counts() == before
    assert Score.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in SEED_OFFER.items() if k != "name"}, "name"),
        ({**SEED_OFFER, "value_props": "not a list"}, "value_props"),
        ({**SEED_OFFER, "ideal_use_cases": None}, "ideal_use_cases"),
    ],
    ids=["missing-name", "value-props-not-a-list", "null-ideal-use-cases"],
)
def test_offer_create_bad_field_gives_400_naming_it(api_client, payload, field):
    response = api_client.post(OFFERS_URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}:")
    assert Offer.objects.count() == 0


def test_offer_patch_bad_field_gives_400_and_changes_nothing(api_client, seed_offer):
    response = api_client.patch(
        f"{OFFERS_URL}{seed_offer.id}/", {"value_props": "not a list"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("value_props:")
    seed_offer.refresh_from_db()
    assert seed_offer.value_props == SEED_OFFER["value_props"]


def test_offer_score_action_scores_every_lead_then_skips_them(api_client, seed_offer):
    LeadFactory.create_batch(3)
    url = f"{OFFERS_URL}{seed_offer.id}/score/"

    first = api_client.post(url, format="json")
    second = api_client.post(url, format="json")

    assert first.status_code == second.status_code == 200
    body = first.json()
    assert set(body) == SUMMARY_KEYS
    assert (body["offer"], body["scored"], body["skipped"]) == (seed_offer.id, 3, 0)
    assert isinstance(body["seconds"], float)
    assert body["seconds"] >= 0
    assert (second.json()["scored"], second.json()["skipped"]) == (0, 3)
    assert Score.objects.filter(offer=seed_offer).count() == 3


def test_offer_score_action_rescore_scores_all_again(api_client, seed_offer):
    LeadFactory.create_batch(2)
    url = f"{OFFERS_URL}{seed_offer.id}/score/"
    api_client.post(url, format="json")

    response = api_client.post(url, {"rescore": True}, format="json")

    assert response.status_code == 200
    assert (response.json()["scored"], response.json()["skipped"]) == (2, 0)
    assert Score.objects.count() == 2


# --- /api/uploads/ -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_create_returns_201_with_the_batch(api_client):
    text = CSV_HEADER + "Ann,CEO,Acme,SaaS,Oslo,Bio\nBob,CTO,Beta,Tech,Rome,Bio\n"

    response = api_client.post(
        UPLOADS_URL, {"csv_file": csv_upload(text, "march.csv")}, format="multipart"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == UPLOAD_KEYS
    assert (body["file_name"], body["row_count"]) == ("march.csv", 2)
    upload = LeadUpload.objects.get()
    assert upload.id == body["id"]
    assert upload.leads.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, NO_FILE_ERROR),
        ({"csv_file": csv_upload(CSV_HEADER)}, NO_ROWS_ERROR),
        (
            {"csv_file": csv_upload("name,company,location,linkedin_bio\nAnn,Acme,Oslo,Bio\n")},
            missing_fields_message(
                ["role", "industry"], ["name", "company", "location", "linkedin_bio"]
            ),
        ),
    ],
    ids=["no-file", "header-only", "missing-columns"],
)
def test_upload_create_bad_file_gives_400_and_stores_nothing(api_client, data, error):
    LeadFactory()
    before = _counts()

    response = api_client.post(UPLOADS_URL, data, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert _counts() == before


@pytest.mark.django_db
def test_upload_list_and_retrieve(api_client):
    first = LeadUploadFactory(file_name="a.csv", row_count=3)
    second = LeadUploadFactory(file_name="b.csv", row_count=5)

    listed = api_client.get(UPLOADS_URL)
    retrieved = api_client.get(f"{UPLOADS_URL}{first.id}/")

    assert listed.status_code == 200
    assert set(listed.json()) == PAGE_KEYS
    assert _ids(listed) == [second.id, first.id]
    assert retrieved.status_code == 200
    assert retrieved.json()["id"] == first.id
    assert set(retrieved.json()) == UPLOAD_KEYS
    assert (retrieved.json()["file_name"], retrieved.json()["row_count"]) == ("a.csv", 3)


@pytest.mark.django_db
def test_upload_delete_removes_its_leads_and_their_scores_only(api_client):
    upload = LeadUploadFactory()
    ScoreFactory(lead=LeadFactory(upload=upload))
    LeadFactory(upload=upload)
    kept = LeadFactory()

    response = api_client.delete(f"{UPLOADS_URL}{upload.id}/")

    assert response.status_code == 204
    assert not LeadUpload.objects.filter(id=upload.id).exists()
    assert list(Lead.objects.values_list("id", flat=True)) == [kept.id]
    assert Score.objects.count() == 0


# --- /api/leads/ -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lead_list_and_retrieve(api_client):
    leads = LeadFactory.create_batch(3)

    listed = api_client.get(LEADS_URL)
    retrieved = api_client.get(f"{LEADS_URL}{leads[1].id}/")

    assert listed.status_code == 200
    assert set(listed.json()) == PAGE_KEYS
    assert _ids(listed) == [lead.id for lead in leads]
    assert all(set(item) == LEAD_KEYS for item in listed.json()["results"])
    assert retrieved.status_code == 200
    body = retrieved.json()
    assert (body["id"], body["name"], body["upload"]) == (
        leads[1].id,
        leads[1].name,
        leads[1].upload_id,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["saas", "SAAS", "SaaS"])
def test_lead_industry_filter_is_case_insensitive_exact(api_client, query):
    saas = LeadFactory(industry="SaaS")
    LeadFactory(industry="SaaS Consulting")
    LeadFactory(industry="Retail")

    response = api_client.get(LEADS_URL, {"industry": query})

    assert response.status_code == 200
    assert _ids(response) == [saas.id]


@pytest.mark.django_db
def test_lead_upload_filter(api_client):
    upload = LeadUploadFactory()
    mine = LeadFactory.create_batch(2, upload=upload)
    LeadFactory()

    response = api_client.get(LEADS_URL, {"upload": upload.id})

    assert response.status_code == 200
    assert _ids(response) == [lead.id for lead in mine]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("search", "expected"), [("ada", "by_name"), ("globex", "by_company"), ("nomatch", None)]
)
def test_lead_search_matches_name_and_company(api_client, search, expected):
    leads = {
        "by_name": LeadFactory(name="Ada Lovelace", company="Engines Ltd"),
        "by_company": LeadFactory(name="Hank Scorpio", company="Globex Corporation"),
    }
    LeadFactory(name="Someone Else", company="Initech")

    response = api_client.get(LEADS_URL, {"search": search})

    assert response.status_code == 200
    assert _ids(response) == ([leads[expected].id] if expected else [])


@pytest.mark.django_db
def test_lead_delete_removes_it_and_its_scores(api_client):
    score = ScoreFactory()
    other = LeadFactory()

    response = api_client.delete(f"{LEADS_URL}{score.lead_id}/")

    assert response.status_code == 204
    assert list(Lead.objects.values_list("id", flat=True)) == [other.id]
    assert Score.objects.count() == 0
    assert Offer.objects.filter(id=score.offer_id).exists()


# --- /api/scores/ ------------------------------------------------------------------------------


@pytest.fixture
def scores(db):
    """Four scores over two offers, with distinct totals, intents, industries and names."""
    offer_a, offer_b = OfferFactory(name="A"), OfferFactory(name="B")
    return {
        "high": ScoreFactory(
            offer=offer_a, score=90, intent=Intent.HIGH,
            lead=LeadFactory(name="Ada Lovelace", company="Engines", industry="SaaS"),
        ),
        "medium": ScoreFactory(
            offer=offer_a, score=55, intent=Intent.MEDIUM,
            lead=LeadFactory(name="Bob Builder", company="Globex", industry="Retail"),
        ),
        "low": ScoreFactory(
            offer=offer_b, score=20, intent=Intent.LOW,
            lead=LeadFactory(name="Cy Young", company="Initech", industry="saas"),
        ),
        "high_b": ScoreFactory(
            offer=offer_b, score=75, intent=Intent.HIGH,
            lead=LeadFactory(name="Di Prince", company="Themyscira", industry="Education"),
        ),
    }  # fmt: skip


def test_score_list_defaults_to_score_descending(api_client, scores):
    response = api_client.get(SCORES_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PAGE_KEYS
    assert [item["score"] for item in body["results"]] == [90, 75, 55, 20]
    first = body["results"][0]
    assert first["lead"]["name"] == "Ada Lovelace"
    assert first["offer"] == scores["high"].offer_id


def test_score_list_ordering_score_ascending(api_client, scores):
    response = api_client.get(SCORES_URL, {"ordering": "score"})

    assert response.status_code == 200
    assert [item["score"] for item in response.json()["results"]] == [20, 55, 75, 90]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"intent": "High"}, ["high", "high_b"]),
        ({"intent": "Low"}, ["low"]),
        ({"min_score": 55}, ["high", "high_b", "medium"]),
        ({"max_score": 55}, ["medium", "low"]),
        ({"min_score": 50, "max_score": 80}, ["high_b", "medium"]),
        ({"industry": "SAAS"}, ["high", "low"]),
        ({"search": "ada"}, ["high"]),
        ({"search": "globex"}, ["medium"]),
        ({"intent": "High", "industry": "saas"}, ["high"]),
    ],
    ids=[
        "intent-high", "intent-low", "min-score", "max-score", "score-range", "industry-iexact",
        "search-name", "search-company", "combined",
    ],
)  # fmt: skip
def test_score_list_filters(api_client, scores, params, expected):
    response = api_client.get(SCORES_URL, params)

    assert response.status_code == 200
    assert _ids(response) == [scores[key].id for key in expected]


def test_score_list_offer_filter(api_client, scores):
    response = api_client.get(SCORES_URL, {"offer": scores["low"].offer_id})

    assert response.status_code == 200
    assert _ids(response) == [scores["high_b"].id, scores["low"].id]


def test_score_list_page_size_paginates(api_client, scores):
    first = api_client.get(SCORES_URL, {"page_size": 3})
    second = api_client.get(SCORES_URL, {"page_size": 3, "page": 2})

    assert first.status_code == second.status_code == 200
    assert first.json()["count"] == 4
    assert [item["score"] for item in first.json()["results"]] == [90, 75, 55]
    assert first.json()["next"] is not None
    assert first.json()["previous"] is None
    assert [item["score"] for item in second.json()["results"]] == [20]
    assert second.json()["next"] is None
    assert second.json()["previous"] is not None


def test_score_list_invalid_intent_gives_400_naming_it(api_client, scores):
    response = api_client.get(SCORES_URL, {"intent": "Extreme"})

    assert response.status_code == 400
    assert response.json()["error"].startswith("intent:")


def test_score_retrieve_shows_its_parts(api_client, scores):
    score = scores["medium"]

    response = api_client.get(f"{SCORES_URL}{score.id}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["score"], body["intent"]) == (score.id, 55, "Medium")
    assert (body["rule_score"], body["ai_label"], body["provider"]) == (50, "High", "local")
    assert body["lead"]["company"] == "Globex"


# --- Missing ids ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [OFFERS_URL, UPLOADS_URL, LEADS_URL, SCORES_URL])
def test_every_resource_gives_404_json_error_for_a_missing_id(api_client, url):
    response = api_client.get(f"{url}987654/")

    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    assert response.json()["error"]


@pytest.mark.django_db
def test_unknown_path_gives_404_json_error(api_client):
    response = api_client.get("/api/no-such-resource/")

    assert response.status_code == 404
    assert response.json() == {"error": NOT_FOUND_ERROR}


# --- OpenAPI schema and docs -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "headers"),
    [({"format": "json"}, {}), ({}, {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"})],
    ids=["format-query", "accept-header"],
)
def test_schema_is_an_openapi_document_with_every_endpoint(api_client, query, headers):
    response = api_client.get("/api/schema/", query, **headers)

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "IntentScore API"
    for path in SEED_PATHS + API_PATHS:
        assert path in document["paths"], path
    assert "post" in document["paths"]["/score/"]
    assert "get" in document["paths"]["/csv/"]


@pytest.mark.django_db
def test_docs_page_is_html(api_client):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger" in response.content.lower()
