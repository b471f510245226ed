from types import SimpleNamespace

import pytest

from scoring.leads.models import Intent
from scoring.leads.rules import AI_POINTS, intent_for_score, rule_score


def lead(**fields):
    base = dict(name="Ada", role="", company="Acme", industry="", location="Berlin")
    return SimpleNamespace(**{**base, **fields})


@pytest.mark.parametrize(
    ("role", "points", "keyword"),
    [
        ("CEO", 20, "ceo"),
        ("ceo", 20, "ceo"),
        ("VP of Sales", 20, "vp"),
        ("Vice President, Marketing", 20, "vice president"),
        ("Vice   President", 20, "vice president"),
        ("Head of Growth", 20, "head of"),
        ("Co-Founder", 20, "founder"),
        ("Director of Engineering", 20, "director"),
        ("IT Manager", 20, "manager"),
        ("Assistant Manager", 20, "manager"),
        ("Marketing Coordinator", 10, "coordinator"),
        ("Data Analyst", 10, "analyst"),
        ("Sales Associate", 10, "associate"),
        ("Intern", 0, ""),
        ("Cooperative Liaison", 0, ""),
        ("Directorate Clerk", 0, ""),
        ("Headquarters Receptionist", 0, ""),
        ("", 0, ""),
    ],
)
def test_role_points_match_whole_words_case_insensitively(role, points, keyword):
    result = rule_score(lead(role=role))
    assert (result.role_points, result.role_keyword) == (points, keyword)


@pytest.mark.parametrize(
    ("industry", "points", "keyword"),
    [
        ("SaaS", 20, "saas"),
        ("Information Technology", 20, "technology"),
        ("Tech", 20, "tech"),
        ("Software Development", 20, "software"),
        ("Business Services", 10, "business"),
        ("Financial Services", 10, "services"),
        ("Consulting", 10, "consulting"),
        ("Fintech", 0, ""),
        ("Biotechnology", 0, ""),
        ("E-commerce", 0, ""),
        ("Retail", 0, ""),
        ("", 0, ""),
    ],
)
def test_industry_points_match_whole_words(industry, points, keyword):
    result = rule_score(lead(industry=industry))
    assert (result.industry_points, result.industry_keyword) == (points, keyword)


def test_completeness_needs_all_five_fields():
    assert rule_score(lead(role="CEO", industry="SaaS")).completeness_points == 10


@pytest.mark.parametrize("empty_field", ["name", "role", "company", "industry", "location"])
@pytest.mark.parametrize("empty_value", ["", "   ", None])
def test_completeness_is_zero_when_any_field_is_empty(empty_field, empty_value):
    fields = {"role": "CEO", "industry": "SaaS", empty_field: empty_value}
    assert rule_score(lead(**fields)).completeness_points == 0


def test_the_rule_total_adds_the_three_factors_up_to_fifty():
    assert rule_score(lead(role="CEO", industry="SaaS")).total == 50
    assert rule_score(lead(role="Marketing Coordinator", industry="Local Services")).total == 30


def test_an_empty_lead_scores_zero():
    empty = lead(name="", company="", location="")
    assert rule_score(empty).total == 0


@pytest.mark.parametrize(
    ("total", "intent"),
    [
        (0, Intent.LOW),
        (39, Intent.LOW),
        (40, Intent.MEDIUM),
        (69, Intent.MEDIUM),
        (70, Intent.HIGH),
        (100, Intent.HIGH),
    ],
)
def test_intent_thresholds(total, intent):
    assert intent_for_score(total) == intent


def test_ai_points_per_label():
    assert AI_POINTS == {Intent.HIGH: 50, Intent.MEDIUM: 30, Intent.LOW: 10}
