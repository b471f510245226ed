"""Uploading a file in the admin: the same import as the API's (header aliases, people
matched), and no upload saved without its leads."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.leads.header_mapping import MAPPING_UNKNOWN_COLUMN_ERROR
from scoring.leads.lead_csv import NO_ROWS_ERROR
from scoring.leads.models import Lead, LeadUpload
from tests.factories import CSV_HEADER

ADD_URL = reverse("admin:scoring_leadupload_add")
CRM_FILES = Path(settings.BASE_DIR) / "fixtures" / "crm"

pytestmark = pytest.mark.django_db


def _post(admin_client, account, content: bytes, name="leads.csv", **fields):
    data = {
        "account": account.pk,
        "file": SimpleUploadedFile(name, content),
        "on_duplicate": "update",
        **fields,
    }
    return admin_client.post(ADD_URL, data)


def test_the_add_form_asks_for_a_file_a_mapping_and_what_to_do_with_people_already_there(
    admin_client,
):
    form = admin_client.get(ADD_URL).context["adminform"].form

    assert list(form.fields) == ["account", "file", "mapping", "on_duplicate", "sheet"]
    assert form.fields["file"].required


def test_a_crm_export_uploaded_in_the_admin_is_imported_with_its_fields_mapped(
    admin_client, account
):
    content = (CRM_FILES / "hubspot_contacts.csv").read_bytes()

    response = _post(admin_client, account, content, name="hubspot_contacts.csv")

    upload = LeadUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:scoring_leadupload_changelist")
    assert (upload.account, upload.row_count, upload.created) == (account, 6, 6)
    lead = Lead.objects.get(external_id="901201")
    assert (lead.name, lead.role, lead.email) == (
        "Tobias Brandt", "Head of Data Platform", "t.brandt@nordkamm.example"
    )  # fmt: skip


def test_the_same_people_uploaded_again_in_the_admin_are_updated_not_added(admin_client, account):
    content = (CRM_FILES / "hubspot_contacts.csv").read_bytes()
    _post(admin_client, account, content)

    _post(admin_client, account, content)

    assert Lead.objects.count() == 6
    assert LeadUpload.objects.order_by("-id").first().updated == 6


def test_an_explicit_mapping_in_the_admin_overrides_the_aliases(admin_client, account):
    content = b"Person,Position,Firm,Sector\nAda Lovelace,CTO,Engines,SaaS\n"
    mapping = '{"name": "Person", "role": "Position", "company": "Firm", "industry": "Sector"}'

    _post(admin_client, account, content, mapping=mapping)

    lead = Lead.objects.get()
    assert (lead.name, lead.role, lead.company, lead.industry) == (
        "Ada Lovelace", "CTO", "Engines", "SaaS"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "fields", "error"),
    [
        (CSV_HEADER.encode(), {}, NO_ROWS_ERROR),
        (
            (CSV_HEADER + "Ada,CTO,Engines,SaaS,London,Bio\n").encode(),
            {"mapping": '{"role": "Position"}'},
            MAPPING_UNKNOWN_COLUMN_ERROR.format(column="Position"),
        ),
    ],
    ids=["no-rows", "mapping-names-a-missing-column"],
)
def test_a_file_that_cannot_be_imported_is_a_form_error_and_saves_no_upload(
    admin_client, account, content, fields, error
):
    response = _post(admin_client, account, content, **fields)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [error]
    assert not LeadUpload.objects.exists()
    assert not Lead.objects.exists()


def test_without_a_file_the_admin_saves_no_upload(admin_client, account):
    response = admin_client.post(ADD_URL, {"account": account.pk, "on_duplicate": "update"})

    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert not LeadUpload.objects.exists()


def test_an_upload_once_made_is_read_only_in_the_admin(admin_client, account):
    content = (CRM_FILES / "hubspot_contacts.csv").read_bytes()
    _post(admin_client, account, content)
    upload = LeadUpload.objects.get()

    page = admin_client.get(reverse("admin:scoring_leadupload_change", args=[upload.pk]))

    assert page.status_code == 200
    assert "file" not in page.context["adminform"].form.fields
