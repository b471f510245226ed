"""GET /leads/template.csv: a file to fill in for POST /leads/upload/, served beside the seed's
endpoints (scoring/leads/api/compat.py LeadTemplateView).

The upload test reads the template with the importer as it is: the seed's six columns are
what it needs. Whether the three other columns (email, external_id, linkedin_url) are kept
with the lead is the import's own concern (scoring/leads/header_mapping.py, tested with it),
not asserted here."""

import csv
import io

import pytest

from scoring.leads.api.compat import (
    TEMPLATE_FILE_NAME,
    TEMPLATE_HEADER,
    TEMPLATE_ROWS,
    UPLOAD_SUCCESS_MESSAGE,
)
from scoring.leads.models import Lead
from tests.factories import created, csv_upload

pytestmark = pytest.mark.django_db

URL = "/leads/template.csv"
HEADER_LINE = "name,role,company,industry,location,linkedin_bio,email,external_id,linkedin_url"
SEED_COLUMNS = ("name", "role", "company", "industry", "location", "linkedin_bio")


def template(client, **extra):
    response = client.get(URL, **extra)
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def test_template_is_a_csv_attachment_with_the_header_and_two_example_leads(api_client):
    response, data = template(api_client)

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="leads-template.csv"'
    assert TEMPLATE_FILE_NAME == "leads-template.csv"
    text = data.decode("utf-8")
    assert text.splitlines()[0] == HEADER_LINE
    assert ",".join(TEMPLATE_HEADER) == HEADER_LINE
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    assert header == HEADER_LINE.split(",")
    assert len(rows) == 2
    assert all(len(row) == len(header) for row in rows)
    assert [tuple(row) for row in rows] == list(TEMPLATE_ROWS)


def test_template_examples_are_made_up_people_no_crm_could_match():
    for row in TEMPLATE_ROWS:
        lead = dict(zip(TEMPLATE_HEADER, row, strict=True))
        assert all(lead[column] for column in TEMPLATE_HEADER)  # every column shown filled in
        assert lead["email"].endswith("@example.com")  # a reserved domain
        # Neither a HubSpot Record ID (digits) nor a Salesforce Id (15 or 18 letters, digits).
        assert not lead["external_id"].isdigit()
        assert not (lead["external_id"].isalnum() and len(lead["external_id"]) in (15, 18))


def test_template_is_csv_whatever_accept_asks_for(api_client):
    for accept in ("text/csv", "application/json", "*/*"):
        response, _ = template(api_client, HTTP_ACCEPT=accept)
        assert response["Content-Type"].startswith("text/csv"), accept


def test_template_uploads_cleanly_through_leads_upload(api_client, account):
    _, data = template(api_client)

    response = api_client.post(
        "/leads/upload/",
        {"csv_file": csv_upload(data, TEMPLATE_FILE_NAME)},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json() == {"message": UPLOAD_SUCCESS_MESSAGE.format(count=2), **created(2)}
    leads = Lead.objects.filter(account=account).order_by("id")
    # Every column of the template is a lead field: the identity ones are kept too.
    columns = HEADER_LINE.split(",")
    assert [tuple(getattr(lead, column) for column in columns) for lead in leads] == [
        tuple(row) for row in TEMPLATE_ROWS
    ]


def test_template_needs_an_api_key_unless_the_demo_allows_anonymous_requests(
    anonymous_client, settings
):
    settings.ALLOW_ANONYMOUS_DEMO = False
    assert anonymous_client.get(URL).status_code == 401

    settings.ALLOW_ANONYMOUS_DEMO = True
    template(anonymous_client)


def test_template_has_no_trailing_slash_variant(api_client):
    assert api_client.get(URL + "/").status_code == 404
