"""Real CRM exports in: each of seven formats mapped field by field, the same people from all
of them stored once, a re-upload updating (or skipping, or adding) a person, an .xlsx read
like its CSV (scoring/leads/services/leads.py, header_mapping.py, xlsx.py)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from scoring.core.exceptions import InvalidInput
from scoring.leads.models import Lead
from scoring.leads.services.leads import ON_DUPLICATE_ERROR, leads_import
from tests.factories import AccountFactory

CRM_FILES = Path(settings.BASE_DIR) / "fixtures" / "crm"
# In the order a team might have exported them; eight people in all, each in several.
EXPORTS = (
    "hubspot_contacts.csv", "salesforce_report.csv", "salesforce_dataloader.csv",
    "apollo_people.csv", "salesnav_leads.csv", "pipedrive_people.csv", "zoho_leads.csv",
)  # fmt: skip
FIELDS = ("name", "role", "company", "industry", "location", "email", "external_id")

pytestmark = pytest.mark.django_db


def _import(account, name, **options):
    with (CRM_FILES / name).open("rb") as file:
        return leads_import(account=account, file=file, file_name=name, **options)


def _lead(**lookup):
    return Lead.objects.values(*FIELDS, "linkedin_url", "linkedin_bio", "extra").get(**lookup)


@pytest.mark.parametrize(
    ("export", "lookup", "expected"),
    [
        ("hubspot_contacts.csv", {"external_id": "901203"}, {
            "name": "Liam O'Connell", "role": "IT Director",
            "company": "Harbourline Logistics, Ltd.", "industry": "Logistics and Supply Chain",
            "location": "Dublin, Ireland", "email": "liam.oconnell@harbourline.example"}),
        ("salesforce_report.csv", {"external_id": "00Q5g00000Ab003XYZ"}, {
            "name": "Chloé Dubois", "role": "Responsable achats", "company": "Vélo Urbain SA",
            "industry": "Transportation", "location": "Lyon, Auvergne-Rhône-Alpes, France",
            "email": "chloe.dubois@velo-urbain.example"}),
        ("salesforce_dataloader.csv", {"external_id": "00Q5g00000Cd000QRS"}, {
            "name": "Aisha Okonkwo", "role": "Chief Marketing Officer", "company": "Brightloom",
            "industry": "Retail", "location": "Lagos, Lagos, Nigeria",
            "email": "aisha@brightloom.example"}),
        ("apollo_people.csv", {"email": "sam@quillpath.example"}, {
            "name": "Samuel Ortiz", "role": "Founder & CEO", "company": "Quillpath",
            "industry": "SaaS", "location": "Austin, TX, United States",
            "external_id": "64f00007a1b2c3"}),
        ("salesnav_leads.csv", {"name": "Priya Raman"}, {
            "role": "Chief Financial Officer", "company": "Meridian Health Partners",
            "industry": "Hospital & Health Care", "location": "Chennai, India", "email": "",
            "external_id": ""}),
        ("pipedrive_people.csv", {"external_id": "5103"}, {
            "name": "Priya Raman", "role": "Chief Financial Officer",
            "company": "Meridian Health Partners", "industry": "Hospital & Health Care",
            "location": "Chennai, India", "email": "priya.raman@meridianhealth.example"}),
        ("zoho_leads.csv", {"external_id": "zcrm_4876000001"}, {
            "name": "Tobias Brandt", "role": "Head of Data Platform", "company": "Nordkamm GmbH",
            "industry": "Industrial Automation", "location": "München, Bayern, Germany",
            "email": "t.brandt@nordkamm.example"}),
    ],
    ids=[name.split(".")[0] for name in EXPORTS],
)  # fmt: skip
def test_an_unedited_export_maps_every_field(account, export, lookup, expected):
    upload = _import(account, export)

    lead = _lead(**lookup)
    assert {key: lead[key] for key in expected} == expected
    assert upload.created == upload.row_count > 0


def test_multi_line_notes_become_the_bio_and_other_columns_extra(account):
    _import(account, "hubspot_contacts.csv")

    lead = _lead(external_id="901200")
    assert lead["linkedin_bio"] == (
        "Met at the Madrid SaaS summit.\n"
        "Asked how scoring could plug into their HubSpot; evaluating tools this quarter."
    )
    assert lead["extra"] == {"Lifecycle Stage": "Lead", "Contact owner": "Dana Kim"}


def test_a_sales_navigator_headline_and_about_both_go_into_the_bio(account):
    _import(account, "salesnav_leads.csv")

    bio = _lead(name="Priya Raman")["linkedin_bio"]
    assert bio == "Finance leader for a network of 14 clinics.\n\nCFO | healthcare finance"


def test_the_same_people_from_seven_exports_are_stored_once_each(account):
    for export in EXPORTS:
        _import(account, export)

    assert Lead.objects.count() == 8
    emails = Lead.objects.values_list("email", flat=True)
    assert len(set(e.lower() for e in emails)) == 8
    # The last file's values stand; what it lacked (the LinkedIn URL) is kept.
    lead = _lead(email="marta.quintero@lumenfield.example")
    assert lead["external_id"] == "zcrm_4876000000"
    assert lead["linkedin_url"] == "https://www.linkedin.com/in/marta-quintero-revops"


def test_a_reupload_counts_people_updated_and_keeps_fields_the_new_file_lacks(account):
    _import(account, "apollo_people.csv")
    upload = _import(account, "salesnav_leads.csv")

    assert (upload.created, upload.updated, upload.skipped) == (0, 4, 0)
    lead = _lead(name="Chloé Dubois")
    assert lead["email"] == "chloe.dubois@velo-urbain.example"  # Sales Navigator has none
    assert lead["extra"]["Seniority"] == "Director"  # Apollo's columns are kept


def test_email_matches_whatever_its_case(account):
    _import(account, "hubspot_contacts.csv")
    upload = _import(account, "salesforce_report.csv")  # Tobias's email is in capitals there

    assert upload.updated == 5 and upload.created == 2
    assert Lead.objects.filter(name="Tobias Brandt").count() == 1


def test_skip_leaves_people_already_there_as_they_were(account):
    _import(account, "hubspot_contacts.csv")

    upload = _import(account, "zoho_leads.csv", on_duplicate="skip")

    assert (upload.created, upload.updated, upload.skipped) == (0, 0, 5)
    assert _lead(email="aisha@brightloom.example")["external_id"] == "901202"


def test_create_adds_everyone_again(account):
    _import(account, "hubspot_contacts.csv")

    upload = _import(account, "zoho_leads.csv", on_duplicate="create")

    assert (upload.created, upload.updated, upload.skipped) == (5, 0, 0)
    assert Lead.objects.count() == 11


def test_a_person_twice_in_one_file_is_stored_once_from_the_last_row(account):
    text = (
        "Email,Name,Title,Company,Industry\n"
        "ann@bee.example,Ann Lee,CTO,Bee,SaaS\n"
        "ANN@bee.example,Ann Lee,Chief Technology Officer,Bee,SaaS\n"
    )
    upload = leads_import(account=account, file=io.BytesIO(text.encode()), file_name="x.csv")

    assert (upload.row_count, upload.created, upload.skipped) == (2, 1, 1)
    assert Lead.objects.get().role == "Chief Technology Officer"


def test_another_accounts_people_are_never_matched(account):
    _import(account, "hubspot_contacts.csv")
    other = AccountFactory(name="Other")

    upload = _import(other, "hubspot_contacts.csv")

    assert upload.created == 6 and Lead.objects.count() == 12


def test_an_unknown_on_duplicate_is_refused(account):
    with pytest.raises(InvalidInput) as raised:
        _import(account, "hubspot_contacts.csv", on_duplicate="merge")

    assert raised.value.message == ON_DUPLICATE_ERROR.format(choices="update, skip, create")
    assert not Lead.objects.exists()


def _xlsx_of(csv_name: str, *, sheet_title="Contacts", first_sheet=None) -> io.BytesIO:
    """The CSV export saved as an .xlsx, as HubSpot offers it (its rows, one sheet)."""
    import csv

    workbook = Workbook()
    if first_sheet is not None:
        workbook.active.title = first_sheet
        workbook.active.append(["Not", "leads"])
        sheet = workbook.create_sheet(sheet_title)
    else:
        sheet = workbook.active
        sheet.title = sheet_title
    text = (CRM_FILES / csv_name).read_text(encoding="utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline="")):
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


def test_an_xlsx_export_is_read_like_its_csv(account):
    upload = leads_import(
        account=account, file=_xlsx_of("hubspot_contacts.csv"), file_name="contacts.xlsx"
    )

    assert upload.created == 6
    lead = _lead(external_id="901203")  # a number in the sheet, the same id as in the CSV
    assert (lead["name"], lead["location"]) == ("Liam O'Connell", "Dublin, Ireland")
    assert "\n" in _lead(external_id="901200")["linkedin_bio"]


def test_an_xlsx_sheet_is_chosen_by_name(account):
    data = _xlsx_of("hubspot_contacts.csv", first_sheet="Summary")

    upload = leads_import(account=account, file=data, file_name="c.xlsx", sheet="Contacts")

    assert upload.created == 6


def _import_text(account, text: str, **options):
    return leads_import(
        account=account, file=io.BytesIO(text.encode()), file_name="x.csv", **options
    )


CRM_HEADER = "Record ID,Email,Name,Title,Company,Industry\n"


def test_a_person_twice_in_a_file_is_stored_once_also_where_the_account_has_people(account):
    _import_text(account, CRM_HEADER + "1,zed@zee.example,Zed Ray,CEO,Zee,Retail\n")

    upload = _import_text(
        account,
        CRM_HEADER
        + "2,ann@bee.example,Ann Lee,CTO,Bee,SaaS\n"
        + "3,ANN@bee.example,Ann Lee,Chief Technology Officer,Bee,SaaS\n"
        + "1,zed@zee.example,Zed Ray,Founder,Zee,Retail\n",
    )

    assert (upload.row_count, upload.created, upload.updated, upload.skipped) == (3, 1, 1, 1)
    assert Lead.objects.get(name="Ann Lee").role == "Chief Technology Officer"
    assert Lead.objects.get(name="Zed Ray").role == "Founder"


def test_two_rows_that_are_one_lead_by_different_fields_update_it_once_from_the_last(account):
    _import_text(account, CRM_HEADER + "1,ann@bee.example,Ann Lee,CTO,Bee,SaaS\n")

    upload = _import_text(
        account,
        CRM_HEADER
        + "1,ann.lee@bee.example,Ann Lee,VP Engineering,Bee,SaaS\n"  # her record id
        + "77,ann@bee.example,Ann Lee,Chief Technology Officer,Bee,SaaS\n",  # her email
    )

    assert (upload.created, upload.updated, upload.skipped) == (0, 1, 1)
    lead = Lead.objects.get()
    assert (lead.role, lead.external_id) == ("Chief Technology Officer", "77")


def test_the_same_export_again_counts_everyone_updated_and_rewrites_no_lead(account):
    _import(account, "hubspot_contacts.csv")
    before = list(Lead.objects.order_by("id").values(*FIELDS, "linkedin_bio", "extra"))
    versions = _row_versions()

    upload = _import(account, "hubspot_contacts.csv")

    assert (upload.created, upload.updated, upload.skipped) == (0, 6, 0)
    assert list(Lead.objects.order_by("id").values(*FIELDS, "linkedin_bio", "extra")) == before
    assert _row_versions() == versions


def test_a_changed_field_of_a_reupload_rewrites_that_lead_only(account):
    _import_text(
        account,
        CRM_HEADER
        + "1,ann@bee.example,Ann Lee,CTO,Bee,SaaS\n2,bo@cee.example,Bo Li,CFO,Cee,Retail\n",
    )
    versions = _row_versions()

    _import_text(
        account,
        CRM_HEADER
        + "1,ann@bee.example,Ann Lee,CEO,Bee,SaaS\n2,bo@cee.example,Bo Li,CFO,Cee,Retail\n",
    )

    ann, bo = Lead.objects.order_by("id")
    assert (ann.role, ann.seniority) == ("CEO", "c_level")
    if versions:  # PostgreSQL
        assert _row_versions()[bo.pk] == versions[bo.pk]
        assert _row_versions()[ann.pk] != versions[ann.pk]


def _row_versions() -> dict:
    """PostgreSQL: each lead's row version (xmin), which any write changes; {} elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, xmin::text FROM {Lead._meta.db_table}")
        return dict(cursor.fetchall())


def test_an_accounts_leads_go_with_it(account):
    _import(account, "hubspot_contacts.csv")
    other = AccountFactory(name="Other")
    _import(other, "hubspot_contacts.csv")

    account.delete()

    assert set(Lead.objects.values_list("account_id", flat=True)) == {other.pk}


def test_a_reupload_where_the_account_holds_a_person_twice_updates_one_and_adds_the_new(account):
    _import_text(account, CRM_HEADER + "1,ann@bee.example,Ann Lee,CTO,Bee,SaaS\n")
    _import_text(
        account, CRM_HEADER + "1,ann@bee.example,Ann Lee,CTO,Bee,SaaS\n", on_duplicate="create"
    )

    upload = _import_text(
        account,
        CRM_HEADER
        + "1,ann@bee.example,Ann Lee,CEO,Bee,SaaS\n"
        + "2,cy@dee.example,Cy Moe,CFO,Dee,Retail\n",
    )

    assert (upload.created, upload.updated, upload.skipped) == (1, 1, 0)
    oldest, copy = Lead.objects.filter(name="Ann Lee").order_by("id")
    assert (oldest.role, copy.role) == ("CEO", "CTO")
    assert Lead.objects.filter(name="Cy Moe").exists()


@pytest.mark.parametrize("straight", [True, False], ids=["straight-then-merged", "staged"])
@pytest.mark.parametrize("on_duplicate", ["update", "skip"])
def test_both_ways_of_writing_a_file_give_the_same_leads(
    account, monkeypatch, straight, on_duplicate
):
    from scoring.leads.services import leads as leads_service

    monkeypatch.setattr(leads_service, "_mostly_new", lambda *args, **kwargs: straight)
    _import_text(account, CRM_HEADER + "1,ann@bee.example,Ann Lee,CTO,Bee,SaaS\n")

    upload = _import_text(
        account,
        CRM_HEADER
        + "2,cy@dee.example,Cy Moe,CFO,Dee,Retail\n"
        + ",ANN@bee.example,Ann Lee,CEO,Bee,SaaS\n"  # her email, whatever its case
        + "3,di@eff.example,Di Roe,COO,Eff,Retail\n"
        + "3,di@eff.example,Di Roe,Chief Operating Officer,Eff,Retail\n"  # twice: the last
        + "4,ed@gee.example,Ed Poe,VP Sales,Gee,SaaS\n",
        on_duplicate=on_duplicate,
    )

    updated = 1 if on_duplicate == "update" else 0
    assert (upload.row_count, upload.created, upload.updated, upload.skipped) == (
        5, 3, updated, 2 - updated
    )  # fmt: skip
    roles = dict(Lead.objects.values_list("name", "role"))
    assert roles == {
        "Ann Lee": "CEO" if on_duplicate == "update" else "CTO",
        "Cy Moe": "CFO",
        "Di Roe": "Chief Operating Officer",
        "Ed Poe": "VP Sales",
    }
    ann = Lead.objects.get(name="Ann Lee")
    assert (ann.external_id, ann.upload_id != upload.pk) == ("1", True)
    if on_duplicate == "update":
        assert ann.seniority == "c_level"


def test_a_list_of_new_people_goes_straight_in_and_a_reupload_is_staged(account):
    from scoring.leads.services.leads import _mostly_new

    _import(account, "hubspot_contacts.csv")
    with (CRM_FILES / "hubspot_contacts.csv").open("rb") as same:
        from scoring.leads.services.leads import _file_reader

        columns, reading = _file_reader(same, max_bytes=None, mapping=None, sheet=None)
        assert not _mostly_new(reading, account=account, fields=["external_id", "email"])
    other = AccountFactory(name="Other")
    with (CRM_FILES / "hubspot_contacts.csv").open("rb") as new_there:
        columns, reading = _file_reader(new_there, max_bytes=None, mapping=None, sheet=None)
        assert _mostly_new(reading, account=other, fields=["external_id", "email"])
