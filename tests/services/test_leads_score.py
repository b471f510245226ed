from dataclasses import replace

import pytest

from scoring.exceptions import InvalidInput
from scoring.models import Intent, Score
from scoring.providers import IntentAssessment
from scoring.services.scoring import NO_LEADS_ERROR, leads_score
from tests.factories import LeadFactory, OfferFactory
from tests.providers.test_local import SCENARIO_1_HIGH, SCENARIO_2_MEDIUM, SCENARIO_3_LOW

pytestmark = pytest.mark.django_db


class FixedProvider:
    """A provider that answers one label, to test how leads_score combines the halves."""

    name = "fixed"
    model = "fixed-1"

    def __init__(self, label):
        self.label = label
        self.calls = 0

    def assess(self, *, lead, offer):
        self.calls += 1
        return IntentAssessment(label=self.label, reasoning="Fixed.", factors=("fixed",))


def lead_from(profile):
    return LeadFactory(**vars(profile))


@pytest.mark.parametrize(
    ("profile", "rule_score", "ai_score", "total", "intent"),
    [
        (SCENARIO_1_HIGH, 40, 50, 90, Intent.HIGH),
        (SCENARIO_2_MEDIUM, 10, 30, 40, Intent.MEDIUM),
        (SCENARIO_3_LOW, 20, 10, 30, Intent.LOW),
    ],
)
def test_seed_worked_examples_with_the_local_provider(
    seed_offer, profile, rule_score, ai_score, total, intent
):
    lead = lead_from(profile)
    leads_score(offer=seed_offer)
    score = Score.objects.get(lead=lead, offer=seed_offer)
    assert (score.rule_score, score.ai_score, score.score, score.intent) == (
        rule_score, ai_score, total, intent,
    )  # fmt: skip
    assert (score.provider, score.model) == ("local", "local-keyword-v1")


def test_a_score_keeps_its_parts(seed_offer):
    lead = lead_from(replace(SCENARIO_1_HIGH, location="Austin"))
    leads_score(offer=seed_offer)
    score = Score.objects.get(lead=lead)
    assert (score.role_points, score.role_keyword) == (20, "vp")
    assert (score.industry_points, score.industry_keyword) == (20, "saas")
    assert score.completeness_points == 10
    assert score.ai_label == Intent.HIGH
    assert "buying signal: looking for" in score.ai_factors
    assert "Looking for" in score.reasoning


def test_the_label_comes_from_the_total_not_the_ai(seed_offer):
    LeadFactory(role="Intern", industry="Retail", location="")
    leads_score(offer=seed_offer, provider=FixedProvider(Intent.HIGH))
    score = Score.objects.get()
    assert (score.ai_label, score.score, score.intent) == (Intent.HIGH, 50, Intent.MEDIUM)


def test_every_lead_is_scored_once(seed_offer, settings):
    settings.SCORING_BATCH_SIZE = 7
    LeadFactory.create_batch(20)
    summary = leads_score(offer=seed_offer)
    assert (summary.scored, summary.skipped) == (20, 0)
    assert Score.objects.filter(offer=seed_offer).count() == 20


def test_leads_already_scored_are_skipped(seed_offer):
    LeadFactory.create_batch(3)
    leads_score(offer=seed_offer)
    LeadFactory()
    provider = FixedProvider(Intent.LOW)
    summary = leads_score(offer=seed_offer, provider=provider)
    assert (summary.scored, summary.skipped, provider.calls) == (1, 3, 1)
    assert Score.objects.count() == 4


def test_rescore_replaces_scores_without_duplicates(seed_offer):
    LeadFactory.create_batch(3)
    leads_score(offer=seed_offer)
    summary = leads_score(offer=seed_offer, rescore=True, provider=FixedProvider(Intent.LOW))
    assert summary.scored == 3
    assert Score.objects.count() == 3
    assert set(Score.objects.values_list("provider", "ai_label")) == {("fixed", Intent.LOW)}


def test_scores_for_another_offer_are_kept_apart(seed_offer):
    LeadFactory.create_batch(2)
    other = OfferFactory(name="Other")
    leads_score(offer=seed_offer)
    leads_score(offer=other)
    assert Score.objects.filter(offer=seed_offer).count() == 2
    assert Score.objects.filter(offer=other).count() == 2


def test_no_leads_is_an_error(seed_offer):
    with pytest.raises(InvalidInput) as error:
        leads_score(offer=seed_offer)
    assert error.value.message == NO_LEADS_ERROR
