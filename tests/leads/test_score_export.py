"""The layouts of a file of scores (scoring/leads/score_export.py): the CRMs' columns and the
way each writes the time of the score. The endpoint: tests/leads/api/test_score_export.py."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scoring.leads.score_export import (
    CRM_LAYOUTS,
    EXPORT_FORMATS,
    HUBSPOT,
    SALESFORCE,
    SCORE_EXPORT_FIELDS,
    SCORE_EXPORT_HEADER,
    SCORES,
    UNKNOWN_EXPORT_FORMAT_ERROR,
    hubspot_date,
    salesforce_datetime,
)

PARIS_WINTER = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 31, 9, 30, tzinfo=UTC), "2026-01-31"),
        # 00:30 in Paris is still the day before in UTC.
        (datetime(2026, 2, 1, 0, 30, tzinfo=PARIS_WINTER), "2026-01-31"),
    ],
)
def test_hubspot_date_is_the_day_in_utc(value, expected):
    assert hubspot_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 31, 9, 30, 0, 123456, tzinfo=UTC), "2026-01-31T09:30:00.123Z"),
        (datetime(2026, 1, 31, 9, 30, 5, tzinfo=UTC), "2026-01-31T09:30:05.000Z"),
        (datetime(2026, 2, 1, 0, 30, 0, 999999, tzinfo=PARIS_WINTER), "2026-01-31T23:30:00.999Z"),
    ],
)
def test_salesforce_datetime_is_data_loaders_format_in_utc(value, expected):
    assert salesforce_datetime(value) == expected


def test_the_crm_layouts_end_with_the_time_of_the_score():
    for layout in (HUBSPOT, SALESFORCE):
        assert layout.fields == (
            "lead__external_id", "lead__email", "score", "intent", "reasoning", "scored_at",
        )  # fmt: skip
        assert len(layout.header) == len(layout.fields)


def test_a_crm_row_writes_the_time_its_way_and_every_other_cell_as_it_is():
    scored_at = datetime(2026, 1, 31, 9, 30, 0, 123456, tzinfo=UTC)
    values = ("42", "ada@engines.test", 80, None, "Why.", scored_at)

    assert HUBSPOT.row(values) == ["42", "ada@engines.test", 80, None, "Why.", "2026-01-31"]
    assert SALESFORCE.row(values)[-1] == "2026-01-31T09:30:00.123Z"


def test_the_default_layout_is_every_part_of_the_score():
    assert (SCORES.header, SCORES.fields) == (SCORE_EXPORT_HEADER, SCORE_EXPORT_FIELDS)
    assert SCORES.file_name == "scores.csv"


def test_the_unknown_format_error_names_every_format():
    assert EXPORT_FORMATS == tuple(CRM_LAYOUTS) == ("hubspot", "salesforce")
    message = UNKNOWN_EXPORT_FORMAT_ERROR.format(input="excel")
    assert message == (
        "Unknown export format 'excel': use hubspot or salesforce, or no format for every part "
        "of the score."
    )
