"""A score explains itself: its factors add up to its total (scoring/leads/rules.py
combined_factors).

For any lead, any offer, either rule set and any AI outcome (a label, or a failed call), the
factors' points sum to the total, each factor stays in its range, and a cap appears exactly
when it takes something off. A score written by a scoring run keeps the same promise.
"""

from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scoring.leads.assessment import LeadProfile, OfferProfile
from scoring.leads.buyer_profile import BuyerProfile
from scoring.leads.matcher import LocalAssessor
from scoring.leads.models import Intent, RuleSet, Score
from scoring.leads.rules import (
    AI_POINTS,
    RULE_SET_FIT,
    RULE_SET_SEED,
    ai_factor,
    combined_factors,
    rule_score,
    score_reasoning,
)
from tests.factories import LeadFactory
from tests.leads.scoring_helpers import score_offer

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None)

HORIZONTAL = OfferProfile(
    name="Welcomemat Starter Journeys",
    value_props=(
        "Onboarding checklists for every new hire",
        "Collect payroll forms before day one",
    ),
    ideal_use_cases=("HR teams hiring dozens of employees a month",),
)
VERTICAL = OfferProfile(
    name="Axlewatch Fleet Telematics",
    value_props=("GPS tracking for every vehicle in the fleet", "Driver behaviour scores"),
    ideal_use_cases=("Trucking companies with hundreds of trucks",),
    buyer_profile=BuyerProfile(
        primary_departments=("operations",),
        secondary_departments=("procurement", "finance"),
        target_industries=("logistics",),
        vertical=True,
    ),
)
COMPETITORS = ("Paperhawk", "Billsmith")
WITH_COMPETITORS = OfferProfile(
    name="Ledgerbird Invoice Inbox",
    value_props=("Read supplier invoices from email", "Pay vendors in batches"),
    ideal_use_cases=("Finance teams that close the month in days",),
    buyer_profile=BuyerProfile(
        primary_departments=("finance",),
        secondary_departments=("procurement",),
        min_seniority="director",
        competitors=COMPETITORS,
    ),
)
OFFERS = (HORIZONTAL, VERTICAL, WITH_COMPETITORS)

ROLES = (
    "CEO", "Founder", "Owner", "CFO", "Finance Director", "Accounts Payable Clerk",
    "People Director", "HR Coordinator", "Fleet Manager", "Operations Director",
    "Transport Planner", "VP of Sales", "Marketing Coordinator", "Software Engineer",
    "Junior Accountant", "Finance Intern", "Procurement Manager", "General Manager",
    "Geschäftsführer", "Jefe de Ventas", "Sr. Dir. of IT",
)  # fmt: skip
INDUSTRIES = (
    "Software", "SaaS", "Consulting", "Banking", "Trucking", "Logistics", "Retail",
    "Wholesale Distribution", "Quick Service Restaurants", "Metal Fabrication", "Fintech",
)  # fmt: skip
COMPANIES = ("Northwind Labs", "Harbour Freight Co", *COMPETITORS, "Paperhawk Ltd")
BIOS = (
    "Evaluating GPS tracking for our fleet of 300 trucks.",
    "Onboarding 40 starters every month by hand.",
    "Just renewed the Quillpay licence.",
    "Signed a five-year deal last spring.",
    "Undergraduate in business studies.",
    "Open to work.",
    "Solutions consultant at Inkwell, the supplier invoice platform for finance teams.",
    "Senior accountant at Billsmith.",
    "Runs a 200-person haulage business.",
    "Partner in a 45-person practice.",
)  # fmt: skip


def field(choices):
    """Mostly real values, sometimes empty or arbitrary text."""
    real = st.sampled_from(choices)
    return st.one_of(real, real, real, st.just(""), st.text(max_size=30))


leads = st.builds(
    LeadProfile,
    name=st.one_of(st.just(""), st.text(max_size=20)),
    role=field(ROLES),
    company=field(COMPANIES),
    industry=field(INDUSTRIES),
    location=st.one_of(st.just(""), st.just("Leeds"), st.text(max_size=10)),
    linkedin_bio=st.one_of(field(BIOS), st.lists(st.sampled_from(BIOS), max_size=3).map(" ".join)),
)
ai_labels = st.sampled_from([Intent.HIGH, Intent.MEDIUM, Intent.LOW, None])  # None: failed


FULL_LEAD = LeadProfile(
    name="Maren Quist",
    role="Finance Director",
    company="Northwind Labs",
    industry="Software",
    location="Leeds",
)
JUST_RENEWED = replace(FULL_LEAD, linkedin_bio="Just renewed the Quillpay licence.")
OPEN_TO_WORK = replace(FULL_LEAD, linkedin_bio="Open to work.")
AT_A_COMPETITOR = replace(FULL_LEAD, company="Paperhawk")


def parts(factors, part):
    return [factor for factor in factors if factor.part == part]


@PROPERTIES
@given(
    lead=leads,
    offer=st.sampled_from(OFFERS),
    rule_set=st.sampled_from(RuleSet.values),
    label=ai_labels,
)
# Every kind of cap, taking something off and not: already bought, a student, a competitor.
@example(lead=JUST_RENEWED, offer=WITH_COMPETITORS, rule_set=RULE_SET_FIT, label=Intent.HIGH)
@example(lead=JUST_RENEWED, offer=WITH_COMPETITORS, rule_set=RULE_SET_FIT, label=None)
@example(lead=OPEN_TO_WORK, offer=WITH_COMPETITORS, rule_set=RULE_SET_FIT, label=Intent.LOW)
@example(lead=AT_A_COMPETITOR, offer=WITH_COMPETITORS, rule_set=RULE_SET_FIT, label=Intent.LOW)
@example(lead=AT_A_COMPETITOR, offer=WITH_COMPETITORS, rule_set=RULE_SET_SEED, label=Intent.HIGH)
def test_the_factors_add_up_to_the_total_and_stay_in_range(lead, offer, rule_set, label):
    offer = replace(offer, rule_set=rule_set)
    rules = rule_score(lead, offer)
    ai = ai_factor(label, "x") if label else None

    total, factors = combined_factors(rules, ai)

    assert total == sum(factor.points for factor in factors)
    assert 0 <= total <= 100
    (role,), (industry,), (completeness,) = (
        parts(factors, part) for part in ("role", "industry", "completeness")
    )
    assert 0 <= role.points <= 20
    assert 0 <= industry.points <= 20
    assert completeness.points in (0, 10)
    assert rules.total == role.points + industry.points + completeness.points
    assert [f.points for f in parts(factors, "ai")] == ([AI_POINTS[label]] if label else [])

    uncapped = rules.total + (ai.points if ai else 0)
    caps = parts(factors, "cap")
    if rules.cap is not None and uncapped > rules.cap:
        (cap,) = caps
        assert cap.points < 0
        assert cap.points == rules.cap - uncapped
        assert total == rules.cap
        assert factors[-1] is cap
    else:
        assert caps == []
        assert total == uncapped
    if rule_set == RULE_SET_SEED:
        assert rules.cap is None


@PROPERTIES
@given(lead=leads, offer=st.sampled_from(OFFERS), label=ai_labels)
def test_the_fit_reasoning_states_the_rule_points(lead, offer, label):
    rules = rule_score(lead, offer)
    _, factors = combined_factors(rules, ai_factor(label, "x") if label else None)

    reasoning = score_reasoning(rules, factors, "The AI said so.")

    assert reasoning.startswith("The AI said so. ")
    assert f"Rules {rules.total}/50: " in reasoning
    for factor in factors:
        if factor.part == "cap":  # its own sentence after the rule points
            assert f"{factor.reason[0].upper()}{factor.reason[1:]}." in reasoning
        elif factor.part != "ai":
            assert str(factor) in reasoning


def test_the_seed_reasoning_is_the_ais_alone():
    offer = replace(HORIZONTAL, rule_set=RULE_SET_SEED)
    rules = rule_score(LeadProfile(role="CEO"), offer)
    _, factors = combined_factors(rules, ai_factor(Intent.HIGH, "x"))

    assert score_reasoning(rules, factors, "The AI said so.") == "The AI said so."


# --- a score as a scoring run writes it ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "bio", "capped"),
    [
        ("VP of Analytics", "Looking for machine learning analytics to scale our data team.",
         False),
        # An intern: the cap takes off what the rules and the AI gave above 20.
        ("Data Science Intern", "Looking for machine learning analytics for my thesis.", True),
    ],
)  # fmt: skip
def test_a_written_score_explains_its_total(seed_offer, role, bio, capped):
    seed_offer.rule_set = RULE_SET_FIT
    seed_offer.save()
    lead = LeadFactory(role=role, linkedin_bio=bio)
    assessment = LocalAssessor().assess(
        lead=LeadProfile.from_lead(lead), offer=OfferProfile.from_offer(seed_offer)
    )

    score_offer(seed_offer)

    score = Score.objects.get(lead=lead, offer=seed_offer)
    assert sum(factor["points"] for factor in score.factors) == score.score
    assert [f["part"] for f in score.factors][:4] == ["role", "industry", "completeness", "ai"]
    assert any(f["part"] == "cap" for f in score.factors) is capped
    assert assessment.reasoning in score.reasoning
    assert f"Rules {score.rule_score}/50" in score.reasoning
    assert score.rule_score == score.role_points + score.industry_points + score.completeness_points
