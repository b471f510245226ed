"""CRM exports through both upload endpoints: the seed's /leads/upload/ and /api/uploads/,
with their mapping, on_duplicate and sheet fields."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from scoring.leads.api.compat import UPLOAD_SUCCESS_MESSAGE
from scoring.leads.models import Lead
from scoring.leads.xlsx import XLS_ERROR

CRM_FILES = Path(settings.BASE_DIR) / "fixtures" / "crm"
XLS_HEAD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

pytestmark = pytest.mark.django_db


def _file(name: str, content: bytes | None = None):
    data = io.BytesIO((CRM_FILES / name).read_bytes() if content is None else content)
    data.name = name
    return data


@pytest.mark.parametrize("url", ["/leads/upload/", "/api/uploads/"])
def test_a_hubspot_export_uploads_through_either_endpoint(api_client, url):
    response = api_client.post(url, {"csv_file": _file("hubspot_contacts.csv")}, format="multipart")

    assert response.status_code == 201
    lead = Lead.objects.get(external_id="901204")
    assert (lead.name, lead.email) == ("Chloé Dubois", "chloe.dubois@velo-urbain.example")


def test_the_seeds_endpoint_answers_its_message_with_what_the_upload_did(api_client):
    api_client.post("/leads/upload/", {"csv_file": _file("apollo_people.csv")}, format="multipart")

    response = api_client.post(
        "/leads/upload/", {"csv_file": _file("salesnav_leads.csv")}, format="multipart"
    )

    assert response.json() == {
        "message": UPLOAD_SUCCESS_MESSAGE.format(count=4), "created": 0, "updated": 4,
        "skipped": 0,
    }  # fmt: skip


def test_on_duplicate_and_mapping_are_form_fields_of_the_upload(api_client):
    api_client.post("/api/uploads/", {"csv_file": _file("zoho_leads.csv")}, format="multipart")
    content = b"Who,Position,Firm,Sector,Mail\nMarta Q,CRO,Lumenfield,Software,x@y.example\n"

    response = api_client.post(
        "/api/uploads/",
        {
            "csv_file": _file("custom.csv", content),
            "mapping": '{"name": "Who", "role": "Position", "company": "Firm", '
            '"industry": "Sector", "email": "Mail"}',
            "on_duplicate": "skip",
        },
        format="multipart",
    )

    assert response.status_code == 201
    assert (response.json()["created"], response.json()["skipped"]) == (1, 0)
    assert Lead.objects.get(email="x@y.example").role == "CRO"


def test_an_unknown_on_duplicate_is_a_400(api_client):
    response = api_client.post(
        "/api/uploads/",
        {"csv_file": _file("zoho_leads.csv"), "on_duplicate": "merge"},
        format="multipart",
    )

    assert response.status_code == 400
    assert "on_duplicate" in response.json()["fields"]
    assert not Lead.objects.exists()


def test_an_xlsx_sheet_is_chosen_by_the_sheet_field(api_client):
    workbook = Workbook()
    workbook.active.title = "Summary"
    sheet = workbook.create_sheet("Leads")
    sheet.append(["Name", "Title", "Company", "Industry", "Email"])
    sheet.append(["Ann Lee", "CTO", "Bee", "SaaS", "ann@bee.example"])
    data = io.BytesIO()
    workbook.save(data)

    response = api_client.post(
        "/api/uploads/",
        {"csv_file": _file("leads.xlsx", data.getvalue()), "sheet": "Leads"},
        format="multipart",
    )

    assert response.status_code == 201
    assert Lead.objects.get().email == "ann@bee.example"


def test_an_xls_file_is_a_400_saying_what_to_upload_instead(api_client):
    response = api_client.post(
        "/leads/upload/", {"csv_file": _file("old.xls", XLS_HEAD)}, format="multipart"
    )

    assert (response.status_code, response.json()) == (400, {"error": XLS_ERROR})
