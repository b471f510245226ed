"""Which column holds which lead field (scoring/leads/header_mapping.py)."""

import pytest

from scoring.core.exceptions import InvalidInput
from scoring.leads.header_mapping import (
    DUPLICATE_COLUMNS_ERROR,
    MAPPING_NOT_JSON_ERROR,
    MAPPING_UNKNOWN_COLUMN_ERROR,
    MAPPING_UNKNOWN_FIELD_ERROR,
    MAPPING_VALUE_ERROR,
    column_map,
    mapping_from_json,
    missing_fields_message,
    normalised,
)


@pytest.mark.parametrize(
    ("cell", "key"),
    [("First Name", "firstname"), ("State/Region", "stateregion"), ("# Employees", "employees"),
     ("Person - Name", "personname"), (" Company / Account ", "companyaccount"),
     ("E-mail", "email"), ("FIRSTNAME", "firstname")],
)  # fmt: skip
def test_a_header_cell_matches_whatever_its_case_spaces_and_punctuation(cell, key):
    assert normalised(cell) == key


def _fields(header, mapping=None):
    columns = column_map(header, mapping)
    return {name: tuple(header[p] for p in places) for name, places in columns.positions.items()}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Record ID", "First Name", "Last Name", "Email", "Job Title", "Company Name",
             "Industry", "City", "State/Region", "Country/Region", "Notes"],
            {"name": ("First Name", "Last Name"), "role": ("Job Title",),
             "company": ("Company Name",), "industry": ("Industry",),
             "location": ("City", "State/Region", "Country/Region"), "linkedin_bio": ("Notes",),
             "email": ("Email",), "external_id": ("Record ID",), "linkedin_url": ()},
        ),
        (
            ["Full Name", "Job Title", "Company Name", "Company Industry", "Location", "About",
             "Headline", "Profile URL"],
            {"name": ("Full Name",), "role": ("Job Title",), "company": ("Company Name",),
             "industry": ("Company Industry",), "location": ("Location",),
             "linkedin_bio": ("About", "Headline"), "email": (), "external_id": (),
             "linkedin_url": ("Profile URL",)},
        ),
        (
            ["Person - Name", "Person - Email - Work", "Designation", "Organization - Name",
             "Organization - Industry", "Record Id"],
            {"name": ("Person - Name",), "role": ("Designation",),
             "company": ("Organization - Name",), "industry": ("Organization - Industry",),
             "location": (), "linkedin_bio": (), "email": ("Person - Email - Work",),
             "external_id": ("Record Id",), "linkedin_url": ()},
        ),
    ],
    ids=["hubspot", "sales-navigator", "pipedrive-zoho"],
)  # fmt: skip
def test_the_common_exports_headers_map_to_the_lead_fields(header, expected):
    assert _fields(header) == expected


def test_columns_no_field_takes_are_kept_as_extra_under_their_header():
    columns = column_map(["Name", "Title", "Company", "Industry", " # Employees ", "Seniority"])

    assert columns.extra == ((4, "# Employees"), (5, "Seniority"))


def test_an_explicit_mapping_overrides_the_aliases_and_may_join_columns():
    header = ["Name", "Title", "Firm", "Sector", "Town", "Land"]
    mapping = {"company": ["Firm"], "industry": ["Sector"], "location": ["Town", "Land"]}

    fields = _fields(header, mapping)

    assert (fields["company"], fields["location"]) == (("Firm",), ("Town", "Land"))


def test_a_missing_required_field_names_the_headers_found_and_the_aliases_accepted():
    with pytest.raises(InvalidInput) as raised:
        column_map(["Full Name", "Company", "City"])

    message = raised.value.message
    assert message == missing_fields_message(["role", "industry"], ["Full Name", "Company", "City"])
    assert message.startswith("Missing required columns: ['role', 'industry'] Columns found: ")
    assert "'Full Name', 'Company', 'City'" in message
    assert "Accepted for role: role, title, jobtitle" in message


def test_a_file_may_lack_the_location_and_the_bio():
    fields = _fields(["name", "role", "company", "industry"])

    assert (fields["location"], fields["linkedin_bio"]) == ((), ())


def test_a_field_found_twice_under_the_same_header_is_an_error():
    with pytest.raises(InvalidInput) as raised:
        column_map(["Name", "Title", "Company", "Industry", "name"])

    assert raised.value.message == DUPLICATE_COLUMNS_ERROR.format(duplicates=["Name"])


NOT_JSON_DETAIL = "Expecting property name enclosed in double quotes"  # json's own words


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{nope", MAPPING_NOT_JSON_ERROR.format(detail=NOT_JSON_DETAIL)),
        ("[1]", MAPPING_NOT_JSON_ERROR.format(detail="not an object")),
        ('{"title": "Role"}', MAPPING_UNKNOWN_FIELD_ERROR.format(
            fields=["title"], known="name, role, company, industry, location, linkedin_bio, "
            "email, external_id, linkedin_url")),
        ('{"role": 3}', MAPPING_VALUE_ERROR.format(field="role")),
    ],
    ids=["not-json", "not-an-object", "unknown-field", "not-a-column"],
)  # fmt: skip
def test_a_mapping_that_is_not_one_is_refused_with_the_reason(text, error):
    with pytest.raises(InvalidInput) as raised:
        mapping_from_json(text)
    assert raised.value.message == error


def test_a_mapping_naming_a_column_the_file_lacks_is_refused():
    with pytest.raises(InvalidInput) as raised:
        column_map(["name", "role", "company", "industry"], {"role": ["Position"]})

    assert raised.value.message == MAPPING_UNKNOWN_COLUMN_ERROR.format(column="Position")


def test_no_mapping_given_is_none():
    assert mapping_from_json(None) is None and mapping_from_json("  ") is None
