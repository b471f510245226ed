"""GET /api/scores/export/: the scores /api/scores/ lists (same filters, search and ordering),
every part of each, as a streamed CSV attachment; with ?format=hubspot or ?format=salesforce,
that CRM's import file (an update of the records the leads came from)."""

import codecs
import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from scoring.leads.lead_csv import EXPORT_CHUNK_ROWS
from scoring.leads.models import AiStatus, Intent
from scoring.leads.score_export import (
    EXPORT_FORMATS,
    SCORE_EXPORT_FILE_NAME,
    SCORE_EXPORT_HEADER,
    UNKNOWN_EXPORT_FORMAT_ERROR,
)
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
        location="London", external_id="crm-42", email="ada@engines.test",
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
        "id": str(score.id), "lead_id": str(lead.id), "name": "Ada", "external_id": "crm-42",
        "email": "ada@engines.test", "role": "CTO",
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


def test_export_header_has_the_external_id_and_email_after_the_leads_name():
    assert SCORE_EXPORT_HEADER == (
        "id", "lead_id", "name", "external_id", "email", "role", "company", "industry",
        "location", "offer_id", "score", "intent", "reasoning", "rule_score", "role_points",
        "role_keyword", "industry_points", "industry_keyword", "completeness_points", "rule_set",
        "factors", "ai_status", "ai_error", "ai_label", "ai_score", "ai_factors", "provider",
        "model", "prompt_version", "scored_at",
    )  # fmt: skip


# --- ?format=hubspot, ?format=salesforce -------------------------------------------------------

HUBSPOT_HEADER = (
    "Record ID", "Email", "IntentScore Score", "IntentScore Intent", "IntentScore Reasoning",
    "IntentScore Scored At",
)  # fmt: skip
SALESFORCE_HEADER = (
    "Id", "Email", "IntentScore_Score__c", "IntentScore_Intent__c", "IntentScore_Reasoning__c",
    "IntentScore_Scored_At__c",
)  # fmt: skip
CRM = {
    # format: (header, file name, the id column)
    "hubspot": (HUBSPOT_HEADER, "scores-hubspot.csv", "Record ID"),
    "salesforce": (SALESFORCE_HEADER, "scores-salesforce.csv", "Id"),
}


def crm_file(client, crm, params=None):
    """The CRM's file as its importer reads it: the bytes as UTF-8 (strictly), a header row,
    a record per row (quoted cells may hold commas, quotes and line breaks)."""
    response = client.get(URL, {"format": crm, **(params or {})})
    assert response.status_code == 200, response.content
    data = b"".join(response.streaming_content)
    text = data.decode("utf-8")  # raises on anything but UTF-8
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return response, data, reader.fieldnames, list(reader)


def test_export_formats_are_hubspot_and_salesforce():
    assert EXPORT_FORMATS == ("hubspot", "salesforce")


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_is_an_attachment_with_the_crms_columns_and_no_others(api_client, account, crm):
    header, file_name, _ = CRM[crm]
    ScoreFactory(account=account)

    response, data, fieldnames, rows = crm_file(api_client, crm)

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'
    # Only the identifiers and the four IntentScore properties: no column of the lead's name,
    # company or role that an update would write over the CRM's values.
    assert tuple(fieldnames) == header
    assert data.splitlines()[0].decode() == ",".join(header)
    assert not data.startswith(codecs.BOM_UTF8)  # a BOM would be part of the id's header
    assert len(rows) == 1


def test_hubspot_export_row_has_the_record_id_email_score_and_the_day_scored(api_client, account):
    ScoreFactory(
        account=account, lead__external_id="51", lead__email="ada@engines.test", score=80,
        intent=Intent.HIGH, reasoning="Bio mentions analytics.",
        scored_at=datetime(2026, 1, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2))),
    )  # fmt: skip

    _, _, _, [row] = crm_file(api_client, "hubspot")

    assert row == {
        "Record ID": "51", "Email": "ada@engines.test", "IntentScore Score": "80",
        "IntentScore Intent": "High", "IntentScore Reasoning": "Bio mentions analytics.",
        # A date property: the day in UTC (01:30 on Feb 1st), as YYYY-MM-DD.
        "IntentScore Scored At": "2026-02-01",
    }  # fmt: skip


def test_salesforce_export_row_has_the_id_email_score_and_time_in_data_loaders_format(
    api_client, account
):
    ScoreFactory(
        account=account, lead__external_id="00Q5g00000AbCdEEAZ", lead__email="ada@engines.test",
        score=40, intent=Intent.MEDIUM, reasoning="Some fit.",
        scored_at=datetime(2026, 1, 31, 9, 30, 0, 123456, tzinfo=UTC),
    )  # fmt: skip

    _, _, _, [row] = crm_file(api_client, "salesforce")

    assert row == {
        "Id": "00Q5g00000AbCdEEAZ", "Email": "ada@engines.test", "IntentScore_Score__c": "40",
        "IntentScore_Intent__c": "Medium", "IntentScore_Reasoning__c": "Some fit.",
        # yyyy-MM-dd'T'HH:mm:ss.SSS'Z'
        "IntentScore_Scored_At__c": "2026-01-31T09:30:00.123Z",
    }  # fmt: skip


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_writes_rows_without_an_id_or_an_email_too(api_client, account, crm):
    _, _, id_column = CRM[crm]
    ScoreFactory(account=account, lead__external_id="7", lead__email="", score=90)
    ScoreFactory(account=account, lead__external_id="", lead__email="only@mail.test", score=60)
    ScoreFactory(account=account, lead__external_id="", lead__email="", score=30)

    _, _, _, rows = crm_file(api_client, crm)

    assert [(row[id_column], row["Email"]) for row in rows] == [
        ("7", ""),
        ("", "only@mail.test"),
        ("", ""),
    ]


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_leaves_the_intent_empty_when_the_ai_call_failed(api_client, account, crm):
    header, _, _ = CRM[crm]
    ScoreFactory(account=account, ai_status=AiStatus.FAILED, intent=None, score=50)

    _, _, _, [row] = crm_file(api_client, crm)

    assert row[header[3]] == ""
    assert row[header[2]] == "50"


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_takes_the_lists_filters_and_ordering(api_client, account, crm):
    _, _, id_column = CRM[crm]
    first, second = OfferFactory(account=account), OfferFactory(account=account)
    ScoreFactory(account=account, offer=first, lead__external_id="b", lead__name="b", score=10)
    ScoreFactory(account=account, offer=first, lead__external_id="a", lead__name="a", score=20)
    ScoreFactory(account=account, offer=second, lead__external_id="c", score=30)

    _, _, _, rows = crm_file(api_client, crm, {"offer": first.id, "ordering": "lead__name"})

    assert [row[id_column] for row in rows] == ["a", "b"]


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_never_includes_another_accounts_scores(api_client, account, crm):
    _, _, id_column = CRM[crm]
    ScoreFactory(account=account, lead__external_id="ours")
    ScoreFactory(account=AccountFactory(name="Other"), lead__external_id="theirs")

    _, _, _, rows = crm_file(api_client, crm)

    assert [row[id_column] for row in rows] == ["ours"]


@pytest.mark.parametrize("value", ["excel", "HubSpot", "json", "csv"])
def test_export_of_an_unknown_format_is_a_400_listing_the_formats(api_client, account, value):
    ScoreFactory(account=account)

    response = api_client.get(URL, {"format": value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error == "format: " + UNKNOWN_EXPORT_FORMAT_ERROR.format(input=value)
    assert all(name in error for name in EXPORT_FORMATS)


def test_export_with_an_empty_format_is_every_part_of_the_score(api_client, account):
    # As for the filters, a parameter given no value is as if it were not given.
    ScoreFactory(account=account)

    response = api_client.get(URL, {"format": ""})

    assert response["Content-Disposition"] == f'attachment; filename="{SCORE_EXPORT_FILE_NAME}"'
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header == ",".join(SCORE_EXPORT_HEADER)


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_crm_export_neutralises_formula_cells(api_client, account, crm, prefix):
    header, _, id_column = CRM[crm]
    formula = f'{prefix}HYPERLINK("http://evil.test")'
    ScoreFactory(account=account, lead__external_id="9", lead__email=formula, reasoning=formula)

    _, _, _, [row] = crm_file(api_client, crm)

    assert row["Email"] == row[header[4]] == "'" + formula
    assert row[id_column] == "9"


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_of_more_rows_than_one_block_is_streamed_with_every_score_once(
    api_client, account, crm
):
    _, _, id_column = CRM[crm]
    offer = OfferFactory(account=account)
    count = EXPORT_CHUNK_ROWS + 5
    leads = LeadFactory.create_batch(count, account=account)
    for lead in leads:
        lead.external_id = f"id-{lead.id}"
    type(leads[0]).objects.bulk_update(leads, ["external_id"])
    scores = [ScoreFactory.build(account=account, lead=lead, offer=offer) for lead in leads]
    type(scores[0]).objects.bulk_create(scores)

    response = api_client.get(URL, {"format": crm})

    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 2  # the header, then blocks of EXPORT_CHUNK_ROWS rows
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert sorted(row[id_column] for row in rows) == sorted(f"id-{lead.id}" for lead in leads)


# Leads whose cells a CSV writer must quote or a reader might split: accents, commas, quotes,
# line breaks (a multi-line reasoning), in the id, the email and the score's text alike.
AWKWARD_LEADS = [
    # (external_id, email, name, company, reasoning)
    ("0035g00000XyZ1AAAQ", "jose.muller@exämple.test", "José Müller", "Zürich Ärzte AG",
     "Bio mentions \"analytics\", data; role fits."),
    ("1201", "o'brien+crm@firm.test", "O'Brien, Siobhán", "Smith, Jones & Co.",
     "Line one.\nLine two, with a comma.\r\nLine three: \"quoted\"."),
    ("id,with,commas", "\"quoted\"@mail.test", "Zoë \"Z\" Åberg", "Ça va, SA",
     "Ünïcödé ✓ — em dash; 日本語."),
    ("", "no-id@mail.test", "Ngozi Ọkọnkwọ", "Lagos Ltd", "No CRM id: matched by email."),
]  # fmt: skip


def _awkward_scores(account):
    offer = OfferFactory(account=account)
    for external_id, email, name, company, reasoning in AWKWARD_LEADS:
        ScoreFactory(
            account=account, offer=offer, lead__external_id=external_id, lead__email=email,
            lead__name=name, lead__company=company, reasoning=reasoning,
        )  # fmt: skip


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_crm_export_round_trips_ids_emails_and_reasoning_through_a_csv_reader(
    api_client, account, crm
):
    header, _, id_column = CRM[crm]
    _awkward_scores(account)

    _, _, fieldnames, rows = crm_file(api_client, crm)

    assert tuple(fieldnames) == header
    assert {(row[id_column], row["Email"], row[header[4]]) for row in rows} == {
        (external_id, email, reasoning) for external_id, email, _, _, reasoning in AWKWARD_LEADS
    }


def test_export_round_trips_ids_emails_names_and_companies_through_a_csv_reader(
    api_client, account
):
    _awkward_scores(account)

    rows = export(api_client)

    assert {
        (row["external_id"], row["email"], row["name"], row["company"], row["reasoning"])
        for row in rows
    } == set(AWKWARD_LEADS)
