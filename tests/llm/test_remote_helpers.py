"""The helpers the remote providers share to read errors (scoring/llm/remote.py)."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from scoring.core.http_retry import (
    MAX_ERROR_DETAIL_CHARS,
    error_detail,
    is_retryable_status,
    parse_retry_after,
)
from scoring.leads.assessment import answer_json_schema
from scoring.llm.remote import without_length_limits


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1", 1.0), ("0.25", 0.25), (" 7 ", 7.0), ("-3", 0.0), (None, None), ("", None),
     ("soon", None), ("inf", None)],
)  # fmt: skip
def test_retry_after_in_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_retry_after_as_an_http_date():
    in_ten_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 <= parse_retry_after(in_ten_seconds) <= 10
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(408, True), (429, True), (500, True), (503, True), (599, True),
     (400, False), (401, False), (403, False), (404, False), (422, False)],
)  # fmt: skip
def test_what_is_worth_retrying(status, retryable):
    assert is_retryable_status(status) is retryable


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"message": "Quota exceeded.", "code": 429}},  # OpenAI, Gemini
        {"error": "Quota exceeded."},  # Ollama
        {"message": "Quota exceeded."},
        "  Quota\n exceeded. ",
    ],
)
def test_the_providers_error_text_is_found_whatever_its_shape(body):
    assert error_detail(body) == "Quota exceeded."


def test_error_text_never_shows_a_secret_and_stays_short():
    assert error_detail("Incorrect API key provided: sk-123.", ("sk-123",)) == (
        "Incorrect API key provided: ***."
    )
    assert len(error_detail("x" * 5000)) == MAX_ERROR_DETAIL_CHARS
    assert error_detail(None) == "no detail"


def test_length_limits_go_but_property_names_and_other_keywords_stay():
    schema = {
        "type": "object",
        "properties": {"maxLength": {"type": "string", "minLength": 1, "maxLength": 9}},
        "required": ["maxLength"],
    }
    assert without_length_limits(schema) == {
        "type": "object",
        "properties": {"maxLength": {"type": "string"}},
        "required": ["maxLength"],
    }
    stripped = without_length_limits(answer_json_schema())
    assert (
        stripped["properties"]["factors"]["maxItems"]
        == answer_json_schema()["properties"]["factors"]["maxItems"]
    )
    assert "maxLength" not in stripped["properties"]["reasoning"]
