import pytest

from scoring.leads.assessment import LeadProfile, OfferProfile
from scoring.leads.matcher import NOTHING_MATCHES_REASONING, LocalAssessor
from scoring.leads.models import Intent
from tests.factories import SEED_OFFER

SEED_OFFER_PROFILE = OfferProfile(
    name=SEED_OFFER["name"],
    value_props=tuple(SEED_OFFER["value_props"]),
    ideal_use_cases=tuple(SEED_OFFER["ideal_use_cases"]),
)
# The seed's worked examples (its "Example Scoring Scenarios"), exactly as it gives them.
SCENARIO_1_HIGH = LeadProfile(
    name="Sarah Johnson",
    role="VP of Analytics",
    company="DataDriven Corp",
    industry="SaaS",
    linkedin_bio="Leading analytics transformation initiatives. Looking for advanced ML "
    "platforms to scale our data science capabilities.",
)
SCENARIO_2_MEDIUM = LeadProfile(
    name="Mike Chen",
    role="Business Analyst",
    company="RetailCorp",
    industry="Retail",
    linkedin_bio="Business intelligence professional focused on improving operational "
    "efficiency through data insights.",
)
SCENARIO_3_LOW = LeadProfile(
    name="Lisa Brown",
    role="Marketing Coordinator",
    company="Local Services Inc",
    industry="Local Services",
    linkedin_bio="Coordinating marketing campaigns and social media content for local "
    "business growth.",
)


def assess(lead, offer=SEED_OFFER_PROFILE):
    return LocalAssessor().assess(lead=lead, offer=offer)


@pytest.mark.parametrize(
    ("lead", "label"),
    [
        (SCENARIO_1_HIGH, Intent.HIGH),
        (SCENARIO_2_MEDIUM, Intent.MEDIUM),
        (SCENARIO_3_LOW, Intent.LOW),
    ],
)
def test_seed_scenarios_get_the_seeds_ai_labels(lead, label):
    assert assess(lead).label == label


def test_reasoning_names_what_matched_and_the_offer_phrase():
    lead = LeadProfile(
        role="Researcher",
        linkedin_bio="Passionate about machine learning and predictive analytics.",
    )
    reasoning = assess(lead).reasoning
    assert reasoning.startswith(
        "Bio mentions machine learning and predictive analytics, matching "
        "'Advanced Machine Learning Analytics'"
    )


def test_abbreviation_in_the_bio_matches_the_spelled_out_offer():
    result = assess(SCENARIO_1_HIGH)
    assert "bio: advanced ML platforms" in result.factors
    assert "matches: Advanced Machine Learning Analytics" in result.factors
    assert "buying signal: looking for" in result.factors
    assert "'Looking for' in the bio signals an active search." in result.reasoning


def test_spelled_out_bio_matches_an_abbreviated_offer():
    offer = OfferProfile(name="Dashboards", value_props=("Self-serve BI for finance teams",))
    lead = LeadProfile(linkedin_bio="Evaluating business intelligence tools.")
    result = assess(lead, offer)
    assert "bio: business intelligence" in result.factors
    assert "matches: Self-serve BI for finance teams" in result.factors


def test_word_forms_match_through_stems():
    offer = OfferProfile(name="X", value_props=("Data Analysis",))
    lead = LeadProfile(linkedin_bio="Analyzing data daily.")
    assert set(assess(lead, offer).factors) >= {"bio: Analyzing data"}


@pytest.mark.parametrize(
    "bio",
    [
        "Gestiono los contratos con proveedores de la empresa.",
        "Je gère les contrats fournisseurs.",
        "Ich verwalte die Verträge mit unseren Lieferanten.",
        "Gestisco i contratti con i fornitori.",
    ],
)
def test_a_bio_in_another_language_meets_the_offers_english(bio):
    offer = OfferProfile(name="X", value_props=("Supplier contracts in one repository",))
    result = assess(LeadProfile(linkedin_bio=bio), offer)
    assert "matches: Supplier contracts in one repository" in result.factors


def test_a_lone_e_is_no_evidence():
    offer = OfferProfile(name="X", value_props=("E-signature for every contract",))
    lead = LeadProfile(linkedin_bio="Ristorante e pizzeria a Napoli.")
    assert not [f for f in assess(lead, offer).factors if f.startswith("bio:")]


def test_customer_is_not_mistaken_for_custom():
    offer = OfferProfile(name="X", value_props=("Custom Dashboard Creation",))
    lead = LeadProfile(linkedin_bio="Customer success lead.")
    result = assess(lead, offer)
    assert result.label == Intent.LOW
    assert not [f for f in result.factors if f.startswith("bio:")]


def test_no_overlap_is_low_and_says_so():
    lead = LeadProfile(role="Student", industry="Education", linkedin_bio="Studying history.")
    result = assess(lead)
    assert result.label == Intent.LOW
    assert result.reasoning == NOTHING_MATCHES_REASONING
    assert result.factors == ()


def test_an_empty_lead_is_low():
    assert assess(LeadProfile()).label == Intent.LOW


def test_a_buying_signal_lifts_a_broad_fit_to_high():
    bio = "Works on business intelligence dashboards."
    without_signal = assess(LeadProfile(linkedin_bio=bio))
    with_signal = assess(LeadProfile(linkedin_bio=bio + " Evaluating new vendors."))
    assert (without_signal.label, with_signal.label) == (Intent.MEDIUM, Intent.HIGH)


def test_reasoning_is_at_most_two_sentences():
    for lead in (SCENARIO_1_HIGH, SCENARIO_2_MEDIUM, SCENARIO_3_LOW, LeadProfile()):
        assert assess(lead).reasoning.count(". ") <= 1


def test_the_same_input_always_gives_the_same_assessment():
    assert assess(SCENARIO_1_HIGH) == assess(SCENARIO_1_HIGH)


def test_a_run_of_matched_words_stops_at_punctuation():
    offer = OfferProfile(name="X", value_props=("Enrolment yield and applications",))
    lead = LeadProfile(linkedin_bio="We track yield. Applications doubled.")

    result = assess(lead, offer)

    assert {"bio: yield", "bio: Applications"} <= set(result.factors)


def test_a_product_just_bought_is_named_in_the_reasoning():
    offer = OfferProfile(name="X", value_props=("Fleet tracking for vans",))
    lead = LeadProfile(linkedin_bio="We just signed a 3-year deal for fleet tracking.")

    result = assess(lead, offer)

    assert "'signed a 3-year deal' in the bio: it already has something like it" in (
        result.reasoning
    )


def test_the_role_alone_is_no_evidence_of_need():
    # The rules score the role; the AI half reads the bio for a need.
    offer = OfferProfile(name="X", value_props=("Dashboards for analytics teams",))
    lead = LeadProfile(role="Head of Analytics", linkedin_bio="")

    assert assess(lead, offer).label == Intent.LOW
