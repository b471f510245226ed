"""Leads' seniority and departments: normalised from the role at upload (also through
PostgreSQL's COPY), shown by /api/leads/, and filtered on by /api/leads/ and /api/scores/."""

import pytest
from django.db import connection

from scoring.leads.models import Lead
from scoring.leads.services import leads as leads_service
from scoring.leads.services.leads import leads_import
from tests.factories import (
    CSV_HEADER,
    AccountFactory,
    LeadFactory,
    OfferFactory,
    ScoreFactory,
    csv_upload,
)

pytestmark = pytest.mark.django_db

LEADS_URL = "/api/leads/"
SCORES_URL = "/api/scores/"
UPLOAD_URL = "/leads/upload/"

# role -> (seniority, departments) as an upload stores them.
ROLES = {
    "Chief Financial Officer": ("c_level", ["finance", "executive"]),
    "Geschäftsführer": ("c_level", ["executive"]),
    "Marketing Intern": ("entry", ["marketing"]),
    "Director of Finance": ("director", ["finance"]),
    "Head of Customer Support": ("director", ["customer_success"]),
    "Accountant": ("individual", ["finance"]),
    "": ("", []),
}
CSV_ROWS = (
    "Wren Abernethy,Chief Financial Officer,Ostler Mills,Manufacturing,Leeds,Owns the budget.\n"
    "Kaspar Lindqvist,Geschäftsführer,Lindqvist Bau GmbH,Construction,Köln,Runs the firm.\n"
    "Mirela Dobos,Marketing Intern,Brisa Studio,Media,Cluj,Studying marketing.\n"
    "Sol Ibarra,Director of Finance,Ibarra Foods,Food,Sevilla,Closes the books.\n"
    "Tove Hallin,Head of Customer Support,Hallin Apps,Software,Umeå,Runs the help desk.\n"
    "Ines Vale,Accountant,Vale & Sons,Accounting,Porto,Keeps the ledger.\n"
    "No Role Given,,Blank Co,,,\n"
)
FINANCE_ROLES = ["Chief Financial Officer", "Director of Finance", "Accountant"]
NAMES_BY_ROLE = {
    "Chief Financial Officer": "Wren Abernethy",
    "Geschäftsführer": "Kaspar Lindqvist",
    "Marketing Intern": "Mirela Dobos",
    "Director of Finance": "Sol Ibarra",
    "Head of Customer Support": "Tove Hallin",
    "Accountant": "Ines Vale",
    "": "No Role Given",
}


def _ids(response):
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def _stored_roles(leads) -> dict:
    return {lead.role: (lead.seniority, lead.departments) for lead in leads}


# --- At upload ---------------------------------------------------------------------------------


def test_upload_stores_each_leads_seniority_and_departments_from_its_role(api_client):
    response = api_client.post(
        UPLOAD_URL, {"csv_file": csv_upload(CSV_HEADER + CSV_ROWS)}, format="multipart"
    )

    assert response.status_code == 201
    assert _stored_roles(Lead.objects.all()) == ROLES


def test_the_leads_api_shows_the_uploaded_seniority_and_departments(api_client):
    api_client.post(UPLOAD_URL, {"csv_file": csv_upload(CSV_HEADER + CSV_ROWS)}, format="multipart")

    response = api_client.get(LEADS_URL, {"page_size": 50})

    assert response.status_code == 200
    shown = {
        item["name"]: (item["seniority"], item["departments"])
        for item in response.json()["results"]
    }
    assert shown == {NAMES_BY_ROLE[role]: value for role, value in ROLES.items()}


def test_api_upload_stores_them_too(api_client):
    response = api_client.post(
        "/api/uploads/", {"csv_file": csv_upload(CSV_HEADER + CSV_ROWS)}, format="multipart"
    )

    assert response.status_code == 201
    assert _stored_roles(Lead.objects.all()) == ROLES


@pytest.mark.requires_postgres
def test_postgresql_copy_stores_seniority_and_departments(monkeypatch):
    used = []
    real = leads_service._write_rows

    def spy(cursor, *, table, columns, rows):
        used.append(table)
        return real(cursor, table=table, columns=columns, rows=rows)

    monkeypatch.setattr(leads_service, "_write_rows", spy)

    upload = leads_import(
        account=AccountFactory(), file=csv_upload(CSV_HEADER + CSV_ROWS), file_name="leads.csv"
    )

    assert connection.vendor == "postgresql"
    assert used == [Lead._meta.db_table]  # one COPY into the lead table
    assert _stored_roles(upload.leads.all()) == ROLES
    # Stored as JSON lists, so the department filter's lookup finds them.
    assert set(
        upload.leads.filter(departments__icontains='"executive"').values_list("role", flat=True)
    ) == {"Chief Financial Officer", "Geschäftsführer"}


@pytest.mark.requires_postgres
def test_postgresql_upload_then_filter_by_department_and_seniority(api_client):
    api_client.post(UPLOAD_URL, {"csv_file": csv_upload(CSV_HEADER + CSV_ROWS)}, format="multipart")

    finance = api_client.get(LEADS_URL, {"department": "finance"})
    directors = api_client.get(LEADS_URL, {"seniority": "director"})

    def names(response):
        assert response.status_code == 200
        return {item["name"] for item in response.json()["results"]}

    assert names(finance) == {"Wren Abernethy", "Sol Ibarra", "Ines Vale"}
    assert names(directors) == {"Sol Ibarra", "Tove Hallin"}


# --- Filters -----------------------------------------------------------------------------------


@pytest.fixture
def leads():
    """One lead per role, normalised as an upload would (the factory does)."""
    return {role: LeadFactory(role=role) for role in ROLES}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"seniority": "director"}, ["Director of Finance", "Head of Customer Support"]),
        ({"seniority": "c_level"}, ["Chief Financial Officer", "Geschäftsführer"]),
        ({"seniority": "entry"}, ["Marketing Intern"]),
        ({"seniority": "vp"}, []),
        ({"department": "finance"}, FINANCE_ROLES),
        ({"department": "executive"}, ["Chief Financial Officer", "Geschäftsführer"]),
        ({"department": "customer_success"}, ["Head of Customer Support"]),
        ({"department": "legal"}, []),
        ({"seniority": "c_level", "department": "finance"}, ["Chief Financial Officer"]),
        ({"seniority": "director", "department": "finance"}, ["Director of Finance"]),
        ({"seniority": "", "department": ""}, list(ROLES)),
    ],
    ids=[
        "director", "c-level", "entry", "vp-none", "finance", "executive", "customer-success",
        "legal-none", "c-level-finance", "director-finance", "empty-no-filter",
    ],
)  # fmt: skip
def test_lead_list_filters_by_seniority_and_department(api_client, leads, params, expected):
    response = api_client.get(LEADS_URL, params)

    assert _ids(response) == [leads[role].id for role in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"seniority": "boss"}, "seniority"),
        ({"seniority": "Director"}, "seniority"),
        ({"department": "fin"}, "department"),
        ({"department": "Finance"}, "department"),
        ({"department": '"finance"'}, "department"),
    ],
    ids=["seniority-unknown", "seniority-label", "department-prefix", "department-label", "quoted"],
)
@pytest.mark.parametrize("url", [LEADS_URL, SCORES_URL], ids=["leads", "scores"])
def test_an_unknown_seniority_or_department_gives_400_naming_it(
    api_client, leads, url, params, field
):
    response = api_client.get(url, params)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}:")


def test_a_department_is_matched_whole_never_as_part_of_another(api_client):
    # "it" is inside "security" and "recruiting"; only a lead in IT itself matches.
    it = LeadFactory(role="IT Service Desk Lead")
    LeadFactory(role="Security Engineer")
    LeadFactory(role="Head of Recruiting")
    assert it.departments == ["it"]

    response = api_client.get(LEADS_URL, {"department": "it"})

    assert _ids(response) == [it.id]


def test_lead_filters_never_show_another_accounts_leads(api_client, leads):
    LeadFactory(account=AccountFactory(name="Elsewhere Ltd"), role="Chief Financial Officer")

    response = api_client.get(LEADS_URL, {"department": "finance", "seniority": "c_level"})

    assert _ids(response) == [leads["Chief Financial Officer"].id]


@pytest.fixture
def scores(leads):
    """Each lead scored against one offer, each with its own total."""
    offer = OfferFactory()
    return {
        role: ScoreFactory(lead=lead, offer=offer, score=90 - 10 * index)
        for index, (role, lead) in enumerate(leads.items())
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"seniority": "director"}, ["Director of Finance", "Head of Customer Support"]),
        ({"seniority": "entry"}, ["Marketing Intern"]),
        ({"department": "finance"}, FINANCE_ROLES),
        ({"department": "executive"}, ["Chief Financial Officer", "Geschäftsführer"]),
        ({"department": "finance", "seniority": "individual"}, ["Accountant"]),
        ({"department": "marketing", "min_score": 80}, []),
    ],
    ids=["director", "entry", "finance", "executive", "finance-individual", "with-min-score"],
)  # fmt: skip
def test_score_list_filters_by_the_leads_seniority_and_department(
    api_client, scores, params, expected
):
    response = api_client.get(SCORES_URL, params)

    assert _ids(response) == [scores[role].id for role in expected]


def test_score_export_takes_the_same_filters(api_client, scores):
    response = api_client.get(f"{SCORES_URL}export/", {"department": "executive"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = body.splitlines()[1:]
    assert len(rows) == 2
    assert any("Geschäftsführer" in row for row in rows)
    assert not any("Accountant" in row for row in rows)
