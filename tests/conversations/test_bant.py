"""BANT from the visitor's own words (scoring/conversations/bant.py), and where it goes: the
stored grade, the webhook body (optional: the seed's receiver model ignores it), the
reasoning."""

from datetime import datetime

import pytest
from pydantic import BaseModel

from scoring.conversations.bant import BANT_FIELDS, qualification, qualification_summary
from scoring.conversations.grading import LocalGrader
from scoring.conversations.schemas import grading_task_from_data
from scoring.conversations.services import conversation_grade
from tests.conversation_tasks import task_data

BUYER = [
    "Hi, I'm the finance director at a 90-person architecture firm.",
    "We need to replace our expense spreadsheets; receipts get lost every month.",
    "We have about €12k a year set aside for this.",
    "We'd like to be live before the end of the quarter.",
]


def test_each_bant_field_is_the_visitors_words_with_their_sentence():
    found = qualification(BUYER)

    assert set(found) == set(BANT_FIELDS)
    assert found["budget"] == {
        "value": "€12k",
        "evidence": "We have about €12k a year set aside for this.",
    }
    assert found["authority"]["value"].startswith("I'm the finance director")
    assert found["need"]["evidence"].startswith("We need to replace our expense spreadsheets")
    assert found["timeline"]["value"] == "before the end of the quarter"


def test_what_the_visitor_did_not_say_is_null():
    found = qualification(["hello", "what does it do?"])

    assert found == {field: None for field in BANT_FIELDS}
    assert qualification_summary(found) == ""


def test_a_negated_budget_is_not_a_budget():
    assert qualification(["We have no budget for it."])["budget"] is None


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("Tenemos un presupuesto de 20.000 euros.", "budget"),
        ("Wir brauchen eine Lösung für die Zeiterfassung.", "need"),
        ("Nous cherchons un outil pour nos techniciens.", "need"),
        ("Precisamos migrar até março.", "timeline"),
    ],
)
def test_bant_reads_other_languages(message, field):
    assert qualification([message])[field] is not None


def _result(messages):
    task = grading_task_from_data(task_data(messages))
    return conversation_grade(task=task, grader=LocalGrader())[0]


def test_the_grade_carries_bant_and_its_reasoning_sums_it_up():
    result = _result(BUYER)

    assert result.qualification.budget.value == "€12k"
    assert 'budget "€12k"' in result.reasoning and "BANT:" in result.reasoning


class SeedWebhook(BaseModel):
    """The seed's receiver model of the webhook body, as its backend declares it."""

    task_id: str
    visitor_id: str
    bot_id: str
    session_id: str
    lead_score: int
    lead_category: str
    intent_signals: list[str]
    engagement_level: str
    key_interests: list[str]
    recommended_actions: list[str]
    reasoning: str
    graded_at: datetime
    model_used: str
    conversation_count: int


def test_a_receiver_with_the_seeds_model_reads_a_body_with_bant():
    body = _result(BUYER).model_dump_json()

    received = SeedWebhook.model_validate_json(body)

    assert received.lead_category == "hot"
    assert "qualification" in body
