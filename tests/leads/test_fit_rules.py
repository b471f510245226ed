"""The fit rule set (scoring/leads/rules.py): a lead against the offer's buyer profile.

The offers carry the buyer profile their text describes, given explicitly so that these
tests pin the rules and not the inference (tests/leads/test_buyer_profile.py covers that); one
test scores through the inferred profile too. The seed's table (rule set "seed") and the
seed's worked examples are checked under both rule sets.
"""

from dataclasses import replace

import pytest

from scoring.leads.assessment import LeadProfile, OfferProfile
from scoring.leads.buyer_profile import BuyerProfile
from scoring.leads.matcher import LocalAssessor
from scoring.leads.models import Intent
from scoring.leads.rules import (
    ALREADY_BOUGHT_CAP,
    BELOW_SIGNING_CAP,
    BELOW_SIGNING_REASON,
    NO_INDUSTRY_REASON,
    NOT_A_BUYER_CAP,
    RETIRED_REASON,
    RULE_SET_FIT,
    RULE_SET_SEED,
    WRONG_DEPARTMENT_CAP,
    ai_factor,
    combined_factors,
    intent_for_score,
    rule_score,
)
from tests.factories import SEED_OFFER
from tests.leads.test_matcher import SCENARIO_1_HIGH, SCENARIO_2_MEDIUM, SCENARIO_3_LOW

PAYABLES = OfferProfile(
    name="Ledgerbird Invoice Inbox",
    value_props=(
        "Read supplier invoices from email and post them to the ledger",
        "Approval workflows by budget owner",
        "Pay vendors in batches and reconcile with the bank",
    ),
    ideal_use_cases=("Finance teams that close the month in days",),
    buyer_profile=BuyerProfile(
        primary_departments=("finance",), secondary_departments=("procurement", "operations")
    ),
)
PAYABLES_WITH_COMPETITORS = replace(
    PAYABLES,
    buyer_profile=replace(PAYABLES.buyer_profile, competitors=("Paperhawk", "Billsmith")),
)
RESTAURANT = OfferProfile(
    name="Tablebell Restaurant Ordering",
    value_props=(
        "Table service orders sent to the kitchen the moment a server taps them",
        "Tips and split checks settled at the table",
    ),
    ideal_use_cases=("Restaurants with several dining rooms",),
    buyer_profile=BuyerProfile(
        primary_departments=("food_beverage", "operations"),
        secondary_departments=("procurement",),
        target_industries=("food_hospitality",),
        vertical=True,
    ),
)
# Made for software companies, bought elsewhere too: targeted, but not vertical.
CI_BUILDS = OfferProfile(
    name="Quayside Deploy Runner",
    value_props=("Parallel builds for every commit", "Cache dependencies between pipeline runs"),
    buyer_profile=BuyerProfile(
        primary_departments=("engineering",),
        secondary_departments=("it", "product"),
        target_industries=("software",),
    ),
)
TIMETABLING = OfferProfile(
    name="Bellgrid School Timetabler",
    value_props=("Timetables that respect teacher availability and room capacity",),
    ideal_use_cases=("Secondary schools with many courses",),
    buyer_profile=BuyerProfile(
        primary_departments=("education",),
        secondary_departments=("administration",),
        target_industries=("education",),
        vertical=True,
    ),
)
SEED = OfferProfile(
    name=SEED_OFFER["name"],
    value_props=tuple(SEED_OFFER["value_props"]),
    ideal_use_cases=tuple(SEED_OFFER["ideal_use_cases"]),
)


def lead(role="", industry="Software", bio="", **fields) -> LeadProfile:
    """A lead with all five profile fields filled in unless told otherwise."""
    base = dict(name="Maren Quist", company="Northwind Labs", location="Leeds")
    return LeadProfile(role=role, industry=industry, linkedin_bio=bio, **{**base, **fields})


def score(lead_profile, offer=PAYABLES):
    return rule_score(lead_profile, offer)


def factor(result, part):
    (found,) = [f for f in result.factors if f.part == part]
    return found


def combined(lead_profile, offer, label):
    total, _ = combined_factors(rule_score(lead_profile, offer), ai_factor(label, "x"))
    return total


# --- role ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "points"),
    [
        # A decision maker in the buying department.
        ("Finance Director", 20),
        ("CFO", 20),
        ("VP Finance", 20),
        ("Accounts Payable Manager", 20),
        ("Finance Manager", 20),
        # An individual contributor there: below the level that signs.
        ("Accounts Payable Clerk", 10),
        ("Accountant", 10),
        # A manager or director in a department that influences it.
        ("Procurement Manager", 10),
        ("Operations Director", 10),
        # An individual there.
        ("Purchasing Specialist", 5),
        # Entry level: not a buyer.
        ("Junior Accountant", 0),
        ("Finance Intern", 0),
        ("", 0),
    ],
)
def test_role_points_by_department_and_seniority(role, points):
    result = score(lead(role))

    assert result.role_points == points
    assert factor(result, "role").points == points
    assert result.rule_set == RULE_SET_FIT


@pytest.mark.parametrize(
    ("role", "bio"),
    [
        ("Retired CFO", ""),
        ("Finance Director (retired)", ""),
        ("Directeur financier retraité", ""),
        ("Former Finance Director", "Now retired after 30 years in finance."),
        ("Finance Director", "Happily retired; I sit on two charity boards."),
    ],
)
def test_a_retired_lead_is_not_a_buyer(role, bio):
    result = score(lead(role, bio=bio))

    assert (result.cap, result.cap_reason) == (NOT_A_BUYER_CAP, RETIRED_REASON)
    assert combined(lead(role, bio=bio), PAYABLES, Intent.HIGH) == NOT_A_BUYER_CAP


def test_retiring_a_system_is_not_retiring():
    bio = "We retired the old ledger and moved to the cloud."
    assert score(lead("Finance Director", bio=bio)).cap is None


@pytest.mark.parametrize("role", ["Accounts Payable Specialist", "Finance Analyst"])
def test_below_the_level_that_signs_is_at_most_medium(role):
    result = score(lead(role))

    assert (result.cap, result.cap_reason) == (BELOW_SIGNING_CAP, BELOW_SIGNING_REASON)
    assert intent_for_score(combined(lead(role), PAYABLES, Intent.HIGH)) == Intent.MEDIUM


@pytest.mark.parametrize("role", ["Junior Accountant", "Finance Intern", "Accounting Trainee"])
def test_an_entry_level_role_is_not_a_buyer_and_capped(role):
    result = score(lead(role))

    assert result.role_points == 0
    assert result.cap == NOT_A_BUYER_CAP
    assert combined(lead(role), PAYABLES, Intent.HIGH) == NOT_A_BUYER_CAP


@pytest.mark.parametrize(
    ("bio", "points"),
    [
        ("Runs a 200-person logistics business.", 10),
        ("We are 50 employees.", 10),
        ("A group of 1,000 employees.", 10),
        ("Partner in a 45-person practice.", 5),
        ("5,000 employees worldwide.", 5),
        ("Building the future of tea.", 5),
        ("", 5),
    ],
)
@pytest.mark.parametrize("role", ["CEO", "Founder", "Owner"])
def test_general_management_of_a_horizontal_product_by_company_size(role, bio, points):
    result = score(lead(role, bio=bio))

    assert result.role_points == points
    assert result.cap is None


@pytest.mark.parametrize("role", ["CEO", "Owner", "Co-Founder", "General Manager"])
def test_general_management_buys_a_vertical_product_in_its_industry(role):
    result = score(lead(role, industry="Restaurants", bio="Three sites, 40 staff."), RESTAURANT)

    assert result.role_points == 20
    assert result.cap is None


@pytest.mark.parametrize("role", ["VP of Sales", "Marketing Director", "Engineering Director"])
def test_a_senior_role_in_an_unrelated_department_is_zero_and_capped(role):
    result = score(lead(role))

    assert result.role_points == 0
    assert result.cap == WRONG_DEPARTMENT_CAP
    assert "department" in result.cap_reason
    assert combined(lead(role), PAYABLES, Intent.HIGH) == WRONG_DEPARTMENT_CAP
    assert intent_for_score(WRONG_DEPARTMENT_CAP) == Intent.LOW


def test_a_back_office_role_inside_a_vertical_products_industry_is_an_influencer():
    result = score(lead("Finance Director", industry="Restaurants"), RESTAURANT)

    assert 0 < result.role_points < 20
    assert result.cap is None


# --- industry ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("industry", "points"),
    [
        ("Restaurants", 20),
        ("Quick Service Restaurants", 20),
        ("Hospitality", 20),
        ("Retail", 10),  # near a target
        ("Banking", 0),
        ("Software", 0),
    ],
)
def test_a_vertical_product_scores_the_industry_by_its_targets(industry, points):
    result = score(lead("Operations Director", industry=industry), RESTAURANT)

    assert result.industry_points == points


@pytest.mark.parametrize("industry", ["Banking", "Software", "Metal Fabrication"])
def test_a_lead_outside_a_vertical_products_industries_is_capped(industry):
    result = score(lead("Operations Director", industry=industry), RESTAURANT)

    assert result.role_points == 20
    assert result.industry_points == 0
    assert result.cap == WRONG_DEPARTMENT_CAP
    assert "industr" in result.cap_reason


def test_a_vertical_product_places_a_lead_without_an_industry_by_its_company():
    bistro = lead("Operations Director", industry="", company="Harbour Street Bistro")

    result = score(bistro, RESTAURANT)

    assert result.industry_points == 20


def test_no_industry_is_zero_but_not_capped():
    result = score(lead("Operations Director", industry="", company="Northwind"), RESTAURANT)

    assert result.industry_points == 0
    assert factor(result, "industry").reason == NO_INDUSTRY_REASON
    assert result.cap is None


@pytest.mark.parametrize(
    ("industry", "points"),
    [("Software", 20), ("Computer Software", 20), ("Banking", 10), ("Retail", 10)],
)
def test_a_targeted_but_not_vertical_product_finds_other_industries_compatible(industry, points):
    result = score(lead("VP Engineering", industry=industry), CI_BUILDS)

    assert result.industry_points == points
    assert result.cap is None


# A technology product every industry buys: the seed's table, technology first.
ANALYTICS_FOR_ANYONE = replace(
    PAYABLES,
    name="Lumen Query Studio",
    buyer_profile=BuyerProfile(primary_departments=("data",), secondary_departments=("it",)),
)


@pytest.mark.parametrize(
    ("industry", "points"),
    [
        ("Software", 20),
        ("SaaS", 20),
        ("Information Technology", 20),
        ("Consulting", 10),
        ("Business Services", 10),
        ("Banking", 0),
        ("Fintech", 0),
        ("Retail", 0),
        ("", 0),
    ],
)
def test_a_horizontal_technology_product_uses_the_seeds_industry_table(industry, points):
    result = score(lead("Head of Data", industry=industry), offer=ANALYTICS_FOR_ANYONE)

    assert result.industry_points == points
    assert result.cap is None


# A product for a business function (invoices here): no industry is off-target.
@pytest.mark.parametrize(
    ("industry", "points", "reason"),
    [
        ("Software", 20, "industry Software: a technology company"),
        ("Consulting", 10, "industry Consulting: a services company"),
        ("Banking", 10, "industry Banking: compatible"),
        ("Retail", 10, "industry Retail: compatible"),
        ("Widgets", 10, "industry Widgets: compatible"),
        ("", 0, "industry: none given"),
    ],
)
def test_a_horizontal_business_product_finds_every_industry_compatible(industry, points, reason):
    result = score(lead("Finance Director", industry=industry))

    assert result.industry_points == points
    assert factor(result, "industry").reason == reason
    assert result.cap is None


# --- completeness ----------------------------------------------------------------------------


def test_completeness_is_10_with_all_five_fields():
    assert score(lead("Finance Director")).completeness_points == 10


@pytest.mark.parametrize("field", ["name", "role", "company", "industry", "location"])
def test_completeness_is_0_with_any_field_missing(field):
    result = score(replace(lead("Finance Director"), **{field: " "}))

    assert result.completeness_points == 0
    assert field in factor(result, "completeness").reason


def test_the_rule_total_adds_up_to_fifty_at_most():
    result = score(lead("Finance Director"))

    assert result.total == 50
    assert sum(f.points for f in result.factors) == result.total


# --- negative signals ------------------------------------------------------------------------


@pytest.mark.parametrize("company", ["Paperhawk", "Paperhawk Ltd", "paperhawk", "Billsmith"])
def test_a_competitors_employee_is_capped_as_not_a_buyer(company):
    result = score(lead("Finance Director", company=company), PAYABLES_WITH_COMPETITORS)

    assert result.cap == NOT_A_BUYER_CAP
    assert "competitor" in result.cap_reason


@pytest.mark.parametrize("company", ["Paperhawkers Guild", "Northwind Labs"])
def test_a_company_merely_resembling_a_competitor_is_not_capped(company):
    result = score(lead("Finance Director", company=company), PAYABLES_WITH_COMPETITORS)

    assert result.cap is None


def test_competitors_only_count_when_the_profile_names_them():
    assert score(lead("Finance Director", company="Paperhawk")).cap is None


def test_a_bio_saying_the_lead_works_at_a_competitor_is_capped():
    bio = "Senior accountant at Billsmith since 2019."

    result = score(lead("Finance Director", bio=bio), PAYABLES_WITH_COMPETITORS)

    assert result.cap == NOT_A_BUYER_CAP


def test_the_competitor_cap_names_the_competitor_found_in_the_bio():
    bio = "Senior accountant at Billsmith since 2019."

    result = score(lead("Finance Director", bio=bio), PAYABLES_WITH_COMPETITORS)

    assert "Billsmith" in result.cap_reason
    assert "Northwind" not in result.cap_reason


@pytest.mark.parametrize(
    "bio",
    [
        "Solutions consultant at Inkwell, the supplier invoice platform for mid-market finance.",
        "Finance director at Inkwell, a ledger reconciliation tool for accountants.",
        "We sell supplier invoice automation to accounting firms.",
    ],
)
def test_a_bio_selling_what_the_offer_sells_is_a_competitor(bio):
    result = score(lead("Finance Director", company="Inkwell", bio=bio))

    assert result.cap == NOT_A_BUYER_CAP
    assert "competitor" in result.cap_reason
    assert "Inkwell" in result.cap_reason


def test_a_bio_selling_something_else_is_not_a_competitor():
    bio = "Finance director at Inkwell, the scheduling platform for dog groomers."

    assert score(lead("Finance Director", company="Inkwell", bio=bio)).cap is None


@pytest.mark.parametrize(
    "bio",
    [
        "Open to work after ten years in corporate finance.",
        "Recent graduate hoping to start in accounting.",
        "Seeking new opportunities in finance leadership.",
    ],
)
def test_a_student_or_job_seeker_is_capped_as_not_a_buyer(bio):
    result = score(lead("Finance Director", bio=bio))

    assert result.role_points == 20
    assert result.cap == NOT_A_BUYER_CAP
    assert combined(lead("Finance Director", bio=bio), PAYABLES, Intent.HIGH) == NOT_A_BUYER_CAP


@pytest.mark.parametrize("role", ["Student Assistant", "Finance Intern", "Accounts Clerk"])
def test_a_junior_lead_whose_bio_says_they_study_is_capped(role):
    bio = "Part-time student finishing a dissertation on payment terms."

    assert score(lead(role, bio=bio)).cap == NOT_A_BUYER_CAP


def test_a_manager_whose_bio_speaks_of_students_is_not_capped():
    bio = "Runs admissions for 9,000 undergraduate students; our student inquiries pile up."

    assert score(lead("Director of Finance", bio=bio)).cap is None


def test_internal_audit_is_not_an_intern():
    assert score(lead("Finance Director", bio="Head of internal audit and controls.")).cap is None


def test_a_teacher_mentioning_students_is_not_capped_as_a_student():
    bio = "Builds the timetable for 1,100 students and 80 teachers."

    result = score(lead("Deputy Headteacher", industry="Education", bio=bio), TIMETABLING)

    assert result.role_points == 20
    assert result.cap is None


@pytest.mark.parametrize(
    "bio",
    [
        "Just renewed the Quillpay licence for another year.",
        "Signed a five-year deal with the payables vendor we use.",
        "Recently implemented a new invoice tool across the group.",
    ],
)
def test_a_lead_that_just_bought_is_medium_at_most(bio):
    result = score(lead("Finance Director", bio=bio))

    assert result.cap == ALREADY_BOUGHT_CAP
    assert "already bought" in result.cap_reason
    total = combined(lead("Finance Director", bio=bio), PAYABLES, Intent.HIGH)
    assert total == ALREADY_BOUGHT_CAP
    assert intent_for_score(total) == Intent.MEDIUM


def test_the_strongest_negative_signal_wins():
    bio = "Just renewed the Quillpay licence."

    assert score(lead("VP of Sales", bio=bio)).cap == WRONG_DEPARTMENT_CAP
    assert score(lead("Finance Intern", bio=bio)).cap == NOT_A_BUYER_CAP


def test_a_cap_above_the_total_takes_nothing_off():
    bio = "Just renewed the Quillpay licence."
    rules = score(lead("Finance Director", bio=bio))

    total, factors = combined_factors(rules, ai_factor(Intent.LOW, "x"))

    assert total == rules.total + 10 <= ALREADY_BOUGHT_CAP
    assert [f.part for f in factors] == ["role", "industry", "completeness", "ai"]


# --- the inferred profile, end to end ---------------------------------------------------------


def test_the_inferred_profile_scores_the_same_way():
    offer = replace(PAYABLES, buyer_profile=None)  # None: inferred from its text

    assert offer.buyer_profile.primary_departments == ("finance",)

    assert score(lead("Finance Director"), offer).total == 50
    assert score(lead("Accounts Payable Clerk"), offer).role_points == 10
    assert score(lead("VP of Sales"), offer).cap == WRONG_DEPARTMENT_CAP


# --- the seed rule set ----------------------------------------------------------------------

SEED_RULES = replace(PAYABLES, rule_set=RULE_SET_SEED)


@pytest.mark.parametrize(
    ("role", "points"),
    [
        ("CEO", 20),
        ("VP of Sales", 20),  # whatever the offer: the seed's table
        ("Head of Partnerships", 20),
        ("Marketing Coordinator", 10),
        ("Data Analyst", 10),
        ("Billing Specialist", 10),
        ("Finance Intern", 0),
        ("Accountant", 0),
    ],
)
def test_the_seed_rule_set_scores_roles_by_the_seeds_table(role, points):
    result = score(lead(role), SEED_RULES)

    assert result.role_points == points
    assert result.rule_set == RULE_SET_SEED


@pytest.mark.parametrize(
    ("industry", "points"),
    [("SaaS", 20), ("Software", 20), ("Consulting", 10), ("Fintech", 0), ("Restaurants", 0)],
)
@pytest.mark.parametrize("offer", [PAYABLES, RESTAURANT], ids=["horizontal", "vertical"])
def test_the_seed_rule_set_scores_industries_by_the_seeds_table(industry, points, offer):
    result = score(lead("CEO", industry=industry), replace(offer, rule_set=RULE_SET_SEED))

    assert result.industry_points == points


def test_the_seed_rule_set_never_caps():
    bio = "Part-time student; just renewed the Quillpay licence."
    competitor = replace(PAYABLES_WITH_COMPETITORS, rule_set=RULE_SET_SEED)

    result = score(lead("Finance Intern", company="Paperhawk", bio=bio), competitor)

    assert result.cap is None


def test_no_offer_means_the_seeds_table():
    assert rule_score(lead("VP of Sales")).rule_set == RULE_SET_SEED
    assert rule_score(lead("VP of Sales")).role_points == 20


# --- the seed's worked examples under both rule sets -------------------------------------------


@pytest.mark.parametrize("rule_set", [RULE_SET_SEED, RULE_SET_FIT])
@pytest.mark.parametrize(
    ("example", "total", "intent"),
    [
        (SCENARIO_1_HIGH, 90, Intent.HIGH),
        (SCENARIO_2_MEDIUM, 40, Intent.MEDIUM),
        (SCENARIO_3_LOW, None, Intent.LOW),
    ],
    ids=["scenario-1", "scenario-2", "scenario-3"],
)
def test_the_seeds_worked_examples_hold_under_both_rule_sets(example, total, intent, rule_set):
    offer = replace(SEED, rule_set=rule_set)
    assessment = LocalAssessor().assess(lead=example, offer=offer)

    combined_total, _ = combined_factors(
        rule_score(example, offer), ai_factor(assessment.label, assessment.reasoning)
    )

    if total is not None:
        assert combined_total == total
    assert intent_for_score(combined_total) == intent


# --- the local provider against a buyer profile -----------------------------------------------


def assess(lead_profile, offer=PAYABLES):
    return LocalAssessor().assess(lead=lead_profile, offer=offer)


@pytest.mark.parametrize(
    "bio",
    [
        "Evaluating tools to capture supplier invoices and reconcile vendor payments.",
        "Our team keys supplier invoices by hand and the ledger close drags on.",
    ],
)
def test_a_need_in_the_offers_terms_is_high(bio):
    result = assess(lead("Finance Director", bio=bio))

    assert result.label == Intent.HIGH
    assert combined(lead("Finance Director", bio=bio), PAYABLES, result.label) >= 70


def test_relevance_without_a_need_is_medium():
    bio = "Runs the finance team: supplier invoices, vendor payments and the ledger."

    assert assess(lead("Finance Director", bio=bio)).label == Intent.MEDIUM


@pytest.mark.parametrize(
    ("role", "bio"),
    [
        ("Marketing Director", "Owns the marketing budget and approves agency invoices."),
        ("Head of Sales", "Evaluating options to reconcile commission payments with the bank."),
    ],
)
def test_overlapping_words_from_an_unrelated_department_are_low(role, bio):
    result = assess(lead(role, bio=bio))

    assert result.label == Intent.LOW
    assert intent_for_score(combined(lead(role, bio=bio), PAYABLES, result.label)) == Intent.LOW


def test_a_vertical_products_buyer_with_a_need_is_high():
    bio = "We want table orders to reach the kitchen without paper tickets."

    result = assess(lead("Restaurant Manager", industry="Restaurants", bio=bio), RESTAURANT)

    assert result.label == Intent.HIGH


@pytest.mark.parametrize("role", ["Bakery Owner", "Restaurant Owner", "Hotel General Manager"])
def test_an_owner_titled_by_their_line_of_business_is_general_management(role):
    result = score(lead(role, bio="Owner-operator with 120 staff across three sites."))

    assert result.role_points == 10  # general management of a mid-sized company
    assert result.cap is None
