"""What an export of scores holds, for GET /api/scores/export/ and the admin's export action
alike: every part of each score (the default layout), or a CRM's layout (`?format=hubspot`,
`?format=salesforce`), a file that CRM's importer takes as an update of the contacts the
leads came from.

A CRM layout has the CRM's record id (the lead's `external_id`), the email and the score as
four custom properties (fields), and nothing else: a column the file does not have is a
property the import cannot overwrite. The CRM matches a row to its record by the id, else by
the email (HubSpot; Salesforce's Data Loader by the Id alone). A row with neither is still
written: the CRM creates a record for it or skips it, as the import is set up to (README,
"From your CRM").

The file is what the existing export writes (scoring/leads/lead_csv.py `export_chunks`):
UTF-8 without a BOM (a BOM would become part of the first header, "Record ID" or "Id"),
comma-separated, a header row, cells quoted when they hold a comma, a quote or a line break,
and every cell spreadsheet-safe (a cell starting with = + - @ tab or CR gets a leading ').
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from scoring.leads.rules import Factor

# The default layout: (column, the score's field it comes from).
SCORE_EXPORT_COLUMNS = (
    ("id", "id"), ("lead_id", "lead_id"), ("name", "lead__name"),
    ("external_id", "lead__external_id"), ("email", "lead__email"), ("role", "lead__role"),
    ("company", "lead__company"), ("industry", "lead__industry"),
    ("location", "lead__location"), ("offer_id", "offer_id"), ("score", "score"),
    ("intent", "intent"), ("reasoning", "reasoning"), ("rule_score", "rule_score"),
    ("role_points", "role_points"), ("role_keyword", "role_keyword"),
    ("industry_points", "industry_points"), ("industry_keyword", "industry_keyword"),
    ("completeness_points", "completeness_points"), ("rule_set", "rule_set"),
    ("factors", "factors"), ("ai_status", "ai_status"),
    ("ai_error", "ai_error"), ("ai_label", "ai_label"), ("ai_score", "ai_score"),
    ("ai_factors", "ai_factors"), ("provider", "provider"), ("model", "model"),
    ("prompt_version", "prompt_version"), ("scored_at", "scored_at"),
)  # fmt: skip
SCORE_EXPORT_HEADER = tuple(column for column, _ in SCORE_EXPORT_COLUMNS)
SCORE_EXPORT_FIELDS = tuple(field for _, field in SCORE_EXPORT_COLUMNS)
SCORE_EXPORT_FILE_NAME = "scores.csv"
# ai_factors, a list, is one cell: its factors joined by this.
SCORE_EXPORT_FACTOR_SEPARATOR = "; "
_FACTORS = SCORE_EXPORT_HEADER.index("ai_factors")
_SCORE_FACTORS = SCORE_EXPORT_HEADER.index("factors")
_SCORED_AT = SCORE_EXPORT_HEADER.index("scored_at")


def _api_time(value: datetime) -> str:
    """ISO 8601 in UTC, as /api/scores/ gives it: 2026-01-31T09:30:00.123456Z."""
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def score_export_row(row: tuple) -> list:
    """A score's cells (values_list(*SCORE_EXPORT_FIELDS)) as the CSV has them: factors
    joined, the time as /api/scores/ gives it."""
    row = list(row)
    factors = row[_FACTORS]
    if isinstance(factors, list):
        row[_FACTORS] = SCORE_EXPORT_FACTOR_SEPARATOR.join(map(str, factors))
    score_factors = row[_SCORE_FACTORS]
    if isinstance(score_factors, list):  # "+20 Director in Finance…; +0 industry…"
        row[_SCORE_FACTORS] = SCORE_EXPORT_FACTOR_SEPARATOR.join(
            Factor(**factor).labelled() for factor in score_factors
        )
    row[_SCORED_AT] = _api_time(row[_SCORED_AT])
    return row


def hubspot_date(value: datetime) -> str:
    """The day in UTC, YYYY-MM-DD: what a HubSpot "Date picker" property (the kind HubSpot's
    settings create) stores, and a format its import reads."""
    return value.astimezone(UTC).date().isoformat()


def salesforce_datetime(value: datetime) -> str:
    """yyyy-MM-dd'T'HH:mm:ss.SSS'Z', one of the Date/Time formats Data Loader reads, in UTC."""
    utc = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return utc.removesuffix("+00:00") + "Z"


@dataclass(frozen=True)
class ExportLayout:
    """What a file of scores holds: its header, the score's fields each column comes from
    (for values_list), how a row of those values becomes the row's cells, its file name."""

    header: tuple[str, ...]
    fields: tuple[str, ...]
    row: Callable[[tuple], list]
    file_name: str


# Every part of each score: /api/scores/export/ without `format`, and the admin's export.
SCORES = ExportLayout(
    SCORE_EXPORT_HEADER, SCORE_EXPORT_FIELDS, score_export_row, SCORE_EXPORT_FILE_NAME
)


def _crm_layout(
    columns: tuple[tuple[str, str], ...], *, file_name: str, time_format: Callable
) -> ExportLayout:
    """A CRM's file of `columns` (header, field), the time of the score last, written with
    `time_format`; every other cell as it is (a score without intent, its AI call failed,
    has an empty cell, which neither CRM's import writes over the property's value)."""
    assert columns[-1][1] == "scored_at", "the time of the score is the last column"

    def row(values: tuple) -> list:
        *cells, scored_at = values
        return [*cells, time_format(scored_at)]

    return ExportLayout(
        header=tuple(column for column, _ in columns),
        fields=tuple(field for _, field in columns),
        row=row,
        file_name=file_name,
    )


# HubSpot contacts: "Record ID" and "Email" are HubSpot's own properties (its unique
# identifiers for contacts); the other four are custom properties, made before the import.
HUBSPOT_COLUMNS = (
    ("Record ID", "lead__external_id"),
    ("Email", "lead__email"),
    ("IntentScore Score", "score"),
    ("IntentScore Intent", "intent"),
    ("IntentScore Reasoning", "reasoning"),
    ("IntentScore Scored At", "scored_at"),
)
HUBSPOT = _crm_layout(HUBSPOT_COLUMNS, file_name="scores-hubspot.csv", time_format=hubspot_date)
# Salesforce leads or contacts through Data Loader (Update, or Upsert on Id): "Id" and
# "Email" are the object's standard fields, the other four custom fields (API names).
SALESFORCE_COLUMNS = (
    ("Id", "lead__external_id"),
    ("Email", "lead__email"),
    ("IntentScore_Score__c", "score"),
    ("IntentScore_Intent__c", "intent"),
    ("IntentScore_Reasoning__c", "reasoning"),
    ("IntentScore_Scored_At__c", "scored_at"),
)
SALESFORCE = _crm_layout(
    SALESFORCE_COLUMNS, file_name="scores-salesforce.csv", time_format=salesforce_datetime
)
# `?format=` of /api/scores/export/; without it, the default layout.
CRM_LAYOUTS = {"hubspot": HUBSPOT, "salesforce": SALESFORCE}
EXPORT_FORMATS = tuple(CRM_LAYOUTS)
UNKNOWN_EXPORT_FORMAT_ERROR = (
    "Unknown export format '{input}': use "
    + " or ".join(EXPORT_FORMATS)
    + ", or no format for every part of the score."
)
