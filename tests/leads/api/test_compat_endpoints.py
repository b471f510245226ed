"""The seed's five endpoints: paths, bodies, status codes and error messages, as the seed had."""

import codecs
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from scoring.leads.api.compat import EXPORT_FILE_NAME, UPLOAD_SUCCESS_MESSAGE
from scoring.leads.api.files import NO_FILE_ERROR
from scoring.leads.header_mapping import missing_fields_message
from scoring.leads.lead_csv import (
    EMPTY_FILE_ERROR,
    EXPORT_HEADER,
    NO_ROWS_ERROR,
    TOO_MANY_CELLS_ERROR,
)
from scoring.leads.models import Intent, Lead, LeadUpload, Offer, Score
from scoring.leads.selectors import NO_OFFER_ERROR, OFFER_NOT_FOUND_ERROR
from scoring.leads.services.leads import FILE_TOO_LARGE_ERROR
from scoring.leads.services.scoring import NO_LEADS_ERROR
from scoring.leads.xlsx import UNSUPPORTED_BINARY_ERROR
from tests.factories import (
    CSV_HEADER,
    SEED_OFFER,
    LeadFactory,
    OfferFactory,
    ScoreFactory,
    created,
    csv_upload,
)

FIXTURE_LEADS_CSV = Path(__file__).resolve().parents[3] / "fixtures" / "leads.csv"
FIXTURE_LEAD_COUNT = 20

OFFER_URL = "/product/offer/"
UPLOAD_URL = "/leads/upload/"
SCORE_URL = "/score/"
RESULTS_URL = "/results/"
CSV_URL = "/csv/"

OFFER_KEYS = {"id", "name", "value_props", "ideal_use_cases", "created_at"}
SCORED_LEAD_KEYS = {
    "name",
    "role",
    "company",
    "industry",
    "location",
    "intent",
    "score",
    "reasoning",
}
RESULT_KEYS = {
    "id", "name", "role", "company", "industry", "location", "linkedin_bio",
    "intent", "score", "reasoning", "created_at",
}  # fmt: skip
FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"


def _counts():
    return (Offer.objects.count(), LeadUpload.objects.count(), Lead.objects.count())


def _upload(api_client, text, name="leads.csv"):
    return api_client.post(UPLOAD_URL, {"csv_file": csv_upload(text, name)}, format="multipart")


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body, newline="")))


# --- POST /product/offer/ ----------------------------------------------------------------------


@pytest.mark.django_db
def test_offer_create_returns_201_with_the_seed_keys_and_stores_the_offer(api_client):
    response = api_client.post(OFFER_URL, SEED_OFFER, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == OFFER_KEYS
    assert body["name"] == SEED_OFFER["name"]
    assert body["value_props"] == SEED_OFFER["value_props"]
    assert body["ideal_use_cases"] == SEED_OFFER["ideal_use_cases"]
    offer = Offer.objects.get()
    assert offer.id == body["id"]
    assert offer.value_props == SEED_OFFER["value_props"]


@pytest.mark.django_db
def test_offer_create_without_trailing_slash_also_works(api_client):
    response = api_client.post("/product/offer", SEED_OFFER, format="json")

    assert response.status_code == 201
    assert Offer.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in SEED_OFFER.items() if k != "name"}, "name"),
        ({**SEED_OFFER, "value_props": "not a list"}, "value_props"),
        ({k: v for k, v in SEED_OFFER.items() if k != "ideal_use_cases"}, "ideal_use_cases"),
    ],
    ids=["missing-name", "value-props-not-a-list", "missing-ideal-use-cases"],
)
def test_offer_create_bad_field_gives_400_naming_it_and_stores_nothing(api_client, payload, field):
    response = api_client.post(OFFER_URL, payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith(f"{field}:")
    assert Offer.objects.count() == 0


@pytest.mark.django_db
def test_offer_create_malformed_json_gives_400_error_and_stores_nothing(api_client):
    response = api_client.post(
        OFFER_URL, '{"name": "Broken", "value_props": [', content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error"}
    assert "JSON parse error" in response.json()["error"]
    assert Offer.objects.count() == 0


# --- POST /leads/upload/ -----------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_fixture_file_stores_its_20_leads_with_the_seed_message(api_client):
    with FIXTURE_LEADS_CSV.open("rb") as fixture:
        response = api_client.post(UPLOAD_URL, {"csv_file": fixture}, format="multipart")

    assert response.status_code == 201
    assert response.json() == {
        "message": f"Successfully uploaded {FIXTURE_LEAD_COUNT} leads",
        **created(FIXTURE_LEAD_COUNT),
    }
    assert Lead.objects.count() == FIXTURE_LEAD_COUNT
    upload = LeadUpload.objects.get()
    assert upload.row_count == FIXTURE_LEAD_COUNT
    first = Lead.objects.order_by("id").first()
    assert (first.name, first.role, first.company) == (
        "John Doe",
        "Senior Data Scientist",
        "TechCorp Analytics",
    )


@pytest.mark.django_db
def test_upload_message_uses_the_success_template(api_client):
    response = _upload(api_client, CSV_HEADER + "Ann,CEO,Acme,SaaS,Oslo,Bio\n")

    assert response.status_code == 201
    assert response.json() == {"message": UPLOAD_SUCCESS_MESSAGE.format(count=1), **created(1)}


@pytest.mark.django_db
def test_second_upload_adds_leads_rather_than_replacing_them(api_client):
    for _ in range(2):
        with FIXTURE_LEADS_CSV.open("rb") as fixture:
            response = api_client.post(UPLOAD_URL, {"csv_file": fixture}, format="multipart")
        assert response.status_code == 201

    assert LeadUpload.objects.count() == 2
    assert Lead.objects.count() == 2 * FIXTURE_LEAD_COUNT


@pytest.mark.django_db
def test_upload_without_a_file_gives_400_and_stores_nothing(api_client):
    LeadFactory()
    before = _counts()

    response = api_client.post(UPLOAD_URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"error": NO_FILE_ERROR}
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (b"", 400, EMPTY_FILE_ERROR),
        (CSV_HEADER.encode(), 400, NO_ROWS_ERROR),
        (PNG_BYTES, 400, UNSUPPORTED_BINARY_ERROR),
        (
            b"name,company,location,linkedin_bio\nAnn,Acme,Oslo,Bio\n",
            400,
            missing_fields_message(
                ["role", "industry"], ["name", "company", "location", "linkedin_bio"]
            ),
        ),
        (
            (CSV_HEADER + "Ann,CEO,Acme,SaaS,Oslo,Bio,unexpected\n").encode(),
            400,
            TOO_MANY_CELLS_ERROR.format(line=2, cells=7, columns=6),
        ),
    ],
    ids=["empty-file", "header-only", "binary-png", "missing-columns", "too-many-cells"],
)
def test_bad_upload_gives_error_and_stores_nothing(api_client, data, status, error):
    LeadFactory()
    before = _counts()

    response = _upload(api_client, data)

    assert response.status_code == status
    assert response.json() == {"error": error}
    assert _counts() == before


@pytest.mark.django_db
def test_missing_columns_message_is_the_seeds_exact_text(api_client):
    response = _upload(api_client, "name,company,location,linkedin_bio\nAnn,Acme,Oslo,Bio\n")

    assert response.status_code == 400
    # The seed's text first, then what the file had and what would have matched.
    error = response.json()["error"]
    assert error.startswith("Missing required columns: ['role', 'industry'] Columns found: ")
    assert "'name', 'company', 'location', 'linkedin_bio'" in error
    assert "Accepted for role: role, title, jobtitle" in error
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_upload_over_max_upload_mb_gives_413_and_stores_nothing(api_client, settings):
    settings.MAX_UPLOAD_MB = 1
    row = "Ann,CEO,Acme,SaaS,Oslo," + "b" * 1000 + "\n"
    text = CSV_HEADER + row * 1130  # ~1.1 MB of otherwise valid leads
    assert len(text) > 1.05 * 1024 * 1024
    before = _counts()

    response = _upload(api_client, text)

    assert response.status_code == 413
    assert response.json() == {"error": FILE_TOO_LARGE_ERROR.format(limit=1)}
    assert _counts() == before


@pytest.mark.django_db
def test_cp1252_file_keeps_accented_names(api_client):
    data = (CSV_HEADER + "José Müller,CEO,Café GmbH,SaaS,München,Grüße\n").encode("cp1252")

    response = _upload(api_client, data)

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.name == "José Müller"
    assert lead.company == "Café GmbH"
    assert lead.location == "München"


@pytest.mark.django_db
def test_utf8_bom_file_is_read_with_its_first_column(api_client):
    data = codecs.BOM_UTF8 + (CSV_HEADER + "Ann,CEO,Acme,SaaS,Oslo,Bio\n").encode()

    response = _upload(api_client, data)

    assert response.status_code == 201
    assert Lead.objects.get().name == "Ann"


@pytest.mark.django_db
def test_extra_columns_are_ignored(api_client):
    text = (
        "email,name,role,company,industry,location,linkedin_bio,phone\n"
        "ann@acme.test,Ann,CEO,Acme,SaaS,Oslo,Bio,555\n"
    )

    response = _upload(api_client, text)

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert (lead.name, lead.role, lead.company, lead.industry, lead.location) == (
        "Ann",
        "CEO",
        "Acme",
        "SaaS",
        "Oslo",
    )
    assert lead.linkedin_bio == "Bio"


@pytest.mark.django_db
def test_blank_rows_are_skipped(api_client):
    text = CSV_HEADER + "\nAnn,CEO,Acme,SaaS,Oslo,Bio\n,,,,,\n\nBob,CTO,Beta,Tech,Rome,Bio\n\n"

    response = _upload(api_client, text)

    assert response.status_code == 201
    assert response.json() == {"message": "Successfully uploaded 2 leads", **created(2)}
    assert list(Lead.objects.order_by("id").values_list("name", flat=True)) == ["Ann", "Bob"]


@pytest.mark.django_db
def test_a_5000_character_bio_is_stored_whole(api_client):
    bio = "data " * 1000
    bio = bio.strip() + "x" * (5000 - len(bio.strip()))
    assert len(bio) == 5000

    response = _upload(api_client, CSV_HEADER + f"Ann,CEO,Acme,SaaS,Oslo,{bio}\n")

    assert response.status_code == 201
    assert Lead.objects.get().linkedin_bio == bio


@pytest.mark.django_db
def test_empty_cells_are_allowed(api_client):
    response = _upload(api_client, CSV_HEADER + "Ann,,,,,\n,,Acme,,,\n")

    assert response.status_code == 201
    leads = list(Lead.objects.order_by("id"))
    assert len(leads) == 2
    assert (leads[0].name, leads[0].role, leads[0].linkedin_bio) == ("Ann", "", "")
    assert (leads[1].name, leads[1].company) == ("", "Acme")


# --- POST /score/ ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_score_without_an_offer_gives_404(api_client):
    LeadFactory()

    response = api_client.post(SCORE_URL, format="json")

    assert response.status_code == 404
    assert response.json() == {"error": NO_OFFER_ERROR}
    assert Score.objects.count() == 0


def test_score_without_leads_gives_400(api_client, seed_offer):
    response = api_client.post(SCORE_URL, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": NO_LEADS_ERROR}


@pytest.mark.django_db
def test_score_uses_the_latest_offer_when_no_offer_id(api_client):
    older = OfferFactory(name="Older")
    latest = OfferFactory(name="Latest")
    LeadFactory.create_batch(3)

    response = api_client.post(SCORE_URL, format="json")

    assert response.status_code == 200
    assert len(response.json()) == 3
    assert Score.objects.filter(offer=latest).count() == 3
    assert not Score.objects.filter(offer=older).exists()


@pytest.mark.django_db
def test_score_offer_id_picks_that_offer(api_client):
    chosen = OfferFactory(name="Chosen")
    OfferFactory(name="Latest")
    LeadFactory.create_batch(2)

    response = api_client.post(SCORE_URL, {"offer_id": chosen.id}, format="json")

    assert response.status_code == 200
    assert set(Score.objects.values_list("offer_id", flat=True)) == {chosen.id}


def test_score_unknown_offer_id_gives_404(api_client, seed_offer):
    LeadFactory()
    missing_id = seed_offer.id + 1000

    response = api_client.post(SCORE_URL, {"offer_id": missing_id}, format="json")

    assert response.status_code == 404
    assert response.json() == {"error": OFFER_NOT_FOUND_ERROR.format(offer_id=missing_id)}
    assert Score.objects.count() == 0


def test_score_non_integer_offer_id_gives_400_naming_it(api_client, seed_offer):
    LeadFactory()

    response = api_client.post(SCORE_URL, {"offer_id": "latest"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("offer_id:")
    assert Score.objects.count() == 0


def test_score_returns_the_seed_shape_for_every_lead(api_client, seed_offer):
    leads = LeadFactory.create_batch(3)

    response = api_client.post(SCORE_URL, format="json")

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 3
    for item, lead in zip(body, leads, strict=True):
        assert set(item) == SCORED_LEAD_KEYS
        assert (item["name"], item["role"], item["company"]) == (
            lead.name,
            lead.role,
            lead.company,
        )
        assert (item["industry"], item["location"]) == (lead.industry, lead.location)
        assert item["intent"] in Intent.values
        assert isinstance(item["score"], int)
        assert 0 <= item["score"] <= 100
        assert item["reasoning"]


def test_scoring_twice_does_not_duplicate_scores(api_client, seed_offer):
    LeadFactory.create_batch(4)

    first = api_client.post(SCORE_URL, format="json")
    second = api_client.post(SCORE_URL, format="json")

    assert first.status_code == second.status_code == 200
    assert len(second.json()) == 4
    assert Score.objects.count() == 4 * 1


@pytest.mark.parametrize(
    ("payload", "kept"), [({}, True), ({"rescore": False}, True), ({"rescore": True}, False)]
)
def test_scored_leads_are_kept_unless_rescore(api_client, seed_offer, payload, kept):
    LeadFactory.create_batch(2)
    assert api_client.post(SCORE_URL, format="json").status_code == 200
    earlier = timezone.now() - timedelta(days=1)
    Score.objects.update(scored_at=earlier)

    response = api_client.post(SCORE_URL, payload, format="json")

    assert response.status_code == 200
    assert Score.objects.count() == 2
    scored_at = set(Score.objects.values_list("scored_at", flat=True))
    if kept:
        assert scored_at == {earlier}
    else:
        assert all(moment > earlier for moment in scored_at)


def test_score_with_json_content_type_and_no_body(api_client, seed_offer):
    LeadFactory.create_batch(2)

    response = api_client.post(SCORE_URL, content_type="application/json")

    assert response.status_code == 200
    assert len(response.json()) == 2
    assert Score.objects.count() == 2


def test_score_path_without_trailing_slash(api_client, seed_offer):
    LeadFactory()

    response = api_client.post("/score", content_type="application/json")

    assert response.status_code == 200
    assert len(response.json()) == 1
    assert Score.objects.count() == 1


# --- GET /results/ -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_results_lists_every_lead_with_the_seed_keys(api_client):
    scored = ScoreFactory(score=88, intent=Intent.HIGH, reasoning="Strong fit.")
    unscored = LeadFactory()

    response = api_client.get(RESULTS_URL)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body] == [scored.lead.id, unscored.id]
    assert all(set(item) == RESULT_KEYS for item in body)
    first = body[0]
    assert (first["score"], first["intent"], first["reasoning"]) == (88, "High", "Strong fit.")
    assert first["linkedin_bio"] == scored.lead.linkedin_bio
    assert (body[1]["intent"], body[1]["score"], body[1]["reasoning"]) == (None, None, None)


@pytest.mark.django_db
def test_results_show_each_leads_latest_score(api_client):
    lead = LeadFactory()
    ScoreFactory(
        lead=lead, score=20, intent=Intent.LOW, scored_at=timezone.now() - timedelta(hours=1)
    )
    ScoreFactory(lead=lead, score=75, intent=Intent.HIGH, scored_at=timezone.now())

    response = api_client.get(RESULTS_URL)

    assert response.status_code == 200
    [item] = response.json()
    assert (item["score"], item["intent"]) == (75, "High")


@pytest.mark.django_db
def test_results_offer_id_restricts_to_that_offers_score(api_client):
    lead = LeadFactory()
    other = LeadFactory()
    older = ScoreFactory(
        lead=lead, score=20, intent=Intent.LOW, scored_at=timezone.now() - timedelta(hours=1)
    )
    ScoreFactory(lead=lead, score=75, intent=Intent.HIGH, scored_at=timezone.now())
    ScoreFactory(lead=other, score=60, intent=Intent.MEDIUM)

    response = api_client.get(RESULTS_URL, {"offer_id": older.offer_id})

    assert response.status_code == 200
    by_id = {item["id"]: item for item in response.json()}
    assert (by_id[lead.id]["score"], by_id[lead.id]["intent"]) == (20, "Low")
    assert (by_id[other.id]["score"], by_id[other.id]["intent"]) == (None, None)


@pytest.mark.django_db
def test_results_unknown_offer_id_gives_404(api_client):
    LeadFactory()

    response = api_client.get(RESULTS_URL, {"offer_id": 987654})

    assert response.status_code == 404
    assert response.json() == {"error": OFFER_NOT_FOUND_ERROR.format(offer_id=987654)}


@pytest.mark.django_db
@pytest.mark.parametrize("offer_id", ["abc", "0", "-3"])
def test_results_bad_offer_id_gives_400_naming_it(api_client, offer_id):
    response = api_client.get(RESULTS_URL, {"offer_id": offer_id})

    assert response.status_code == 400
    assert response.json()["error"].startswith("offer_id:")


# --- GET /csv/ ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_is_a_lead_scores_attachment_with_the_seed_header(api_client):
    score = ScoreFactory(score=88, intent=Intent.HIGH, reasoning="Strong fit.")
    unscored = LeadFactory(name="Bob", company="Beta", role="Analyst")

    response = api_client.get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{EXPORT_FILE_NAME}"'
    assert EXPORT_FILE_NAME == "lead_scores.csv"
    rows = _csv_rows(response)
    assert rows[0] == list(EXPORT_HEADER)
    assert ",".join(rows[0]) == "Name,Role,Company,Industry,Location,Intent,Score,Reasoning"
    lead = score.lead
    assert rows[1:] == [
        [lead.name, lead.role, lead.company, lead.industry, lead.location,
         "High", "88", "Strong fit."],
        [unscored.name, unscored.role, unscored.company, unscored.industry, unscored.location,
         "", "", ""],
    ]  # fmt: skip


@pytest.mark.django_db
def test_csv_export_header_line_is_exact(api_client):
    LeadFactory()

    response = api_client.get(CSV_URL)

    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.splitlines()[0] == "Name,Role,Company,Industry,Location,Intent,Score,Reasoning"


@pytest.mark.django_db
def test_csv_export_has_one_row_per_lead(api_client):
    LeadFactory.create_batch(7)

    rows = _csv_rows(api_client.get(CSV_URL))

    assert len(rows) == 1 + 7


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=["eq", "plus", "minus", "at", "tab", "cr"])
@pytest.mark.parametrize("field", ["name", "company"])
def test_csv_export_neutralises_formula_cells(api_client, prefix, field):
    value = f'{prefix}HYPERLINK("http://evil.test","x")'
    LeadFactory(**{field: value})

    rows = _csv_rows(api_client.get(CSV_URL))

    column = {"name": 0, "company": 2}[field]
    assert rows[1][column] == "'" + value


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_csv_export_of_scored_leads_with_formula_bios_has_no_formula_cell(
    api_client, seed_offer, prefix
):
    formula = f"{prefix}cmd|' /C calc'!A0"
    LeadFactory(
        name=formula,
        company=formula,
        linkedin_bio=f"{formula} looking for machine learning analytics",
    )
    assert api_client.post(SCORE_URL, format="json").status_code == 200

    rows = _csv_rows(api_client.get(CSV_URL))

    assert len(rows) == 2
    assert rows[1][0] == rows[1][2] == "'" + formula
    for cell in rows[1]:
        assert not cell.startswith(tuple(FORMULA_PREFIXES)), cell


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_csv_export_neutralises_formula_reasoning(api_client, prefix):
    ScoreFactory(reasoning=f"{prefix}SUM(A1:A2)")

    rows = _csv_rows(api_client.get(CSV_URL))

    assert rows[1][7] == f"'{prefix}SUM(A1:A2)"
