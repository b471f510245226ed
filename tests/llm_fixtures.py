"""Fixtures for the tests that reach an LLM provider: the stub server on 127.0.0.1 and the
assessor or grader pointed at it (loaded by tests/conftest.py)."""

import csv
from pathlib import Path

import pytest

from scoring.conversations.grading import grader_from_settings
from scoring.leads.assessment import LeadProfile, OfferProfile
from scoring.leads.assessors import assessor_from_settings
from tests.factories import SEED_OFFER
from tests.llm_stub import LlmStub

LEADS_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "leads.csv"

# Fast and small: retries back off from 10 ms, a hanging stub gives up within half a second.
FAST_SETTINGS = {
    "LLM_TIMEOUT": 0.5,
    "LLM_MAX_RETRIES": 2,
    "LLM_RETRY_BASE_DELAY": 0.01,
    "LLM_RETRY_MAX_WAIT": 0.05,
}


@pytest.fixture
def llm_stub():
    """A stub LLM server on 127.0.0.1 (tests/llm_stub.py), stopped after the test."""
    with LlmStub() as stub:
        yield stub


@pytest.fixture
def configure(settings, llm_stub):
    """configure(provider, **settings) points `provider` ("openai", "gemini", "ollama") at
    the stub with dummy keys and FAST_SETTINGS, applies the overrides, and returns the
    provider that assessor_from_settings() builds."""

    def configure(provider: str, **overrides):
        _point_at_stub(settings, llm_stub, provider, overrides)
        return assessor_from_settings()

    return configure


@pytest.fixture
def configure_grader(settings, llm_stub):
    """As `configure`, but returns the conversation grader grader_from_settings() builds."""

    def configure_grader(provider: str, **overrides):
        _point_at_stub(settings, llm_stub, provider, overrides)
        return grader_from_settings()

    return configure_grader


def _point_at_stub(settings, llm_stub, provider: str, overrides: dict) -> None:
    values = {**llm_stub.settings_for(provider), **FAST_SETTINGS, **overrides}
    for name, value in values.items():
        setattr(settings, name, value)


@pytest.fixture
def offer():
    """The seed's offer, as providers see it."""
    return OfferProfile(
        name=SEED_OFFER["name"],
        value_props=tuple(SEED_OFFER["value_props"]),
        ideal_use_cases=tuple(SEED_OFFER["ideal_use_cases"]),
    )


@pytest.fixture
def seed_leads():
    """The seed's sample leads (fixtures/leads.csv), as providers see them."""
    with LEADS_CSV.open(newline="", encoding="utf-8") as file:
        return [LeadProfile(**row) for row in csv.DictReader(file)]
