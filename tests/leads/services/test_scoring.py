"""How a run scores an offer's leads: the rules and the provider's halves combined, valid
scores kept, failed calls retried, the call budget and the concurrency kept to. Each test
scores through a scoring run (tests/leads/scoring_helpers.py score_offer), as production
does."""

from dataclasses import replace

import pytest

from scoring.core.exceptions import InvalidInput
from scoring.leads.assessment import prompt_version
from scoring.leads.models import AiStatus, Intent, Score
from scoring.leads.services.scoring import (
    AI_FAILED_REASONING,
    CIRCUIT_BREAKER_MIN_FAILURES,
    NO_LEADS_ERROR,
    PROVIDER_FAILED_ERROR,
    ProviderUnavailable,
)
from tests.factories import LeadFactory, OfferFactory
from tests.leads.scoring_helpers import FixedProvider, score_offer
from tests.leads.test_matcher import SCENARIO_1_HIGH, SCENARIO_2_MEDIUM, SCENARIO_3_LOW

pytestmark = pytest.mark.django_db


def lead_from(profile):
    return LeadFactory(**vars(profile))


@pytest.mark.parametrize(
    ("rule_set", "profile", "rule_score", "ai_score", "total", "intent"),
    [
        # The seed's own figures, from its fixed table...
        ("seed", SCENARIO_1_HIGH, 40, 50, 90, Intent.HIGH),
        ("seed", SCENARIO_2_MEDIUM, 10, 30, 40, Intent.MEDIUM),
        ("seed", SCENARIO_3_LOW, 20, 10, 30, Intent.LOW),
        # ...and the same outcomes from the buyer profile the seed's offer implies (data
        # and analytics people buy it): a VP of Analytics 20, a business analyst 10 as an
        # individual in that department, a marketing coordinator 0 (the offer names
        # marketing's work once, "customer behavior", not its people: no influencer) and
        # 10 for a services industry.
        ("fit", SCENARIO_1_HIGH, 40, 50, 90, Intent.HIGH),
        ("fit", SCENARIO_2_MEDIUM, 10, 30, 40, Intent.MEDIUM),
        ("fit", SCENARIO_3_LOW, 10, 10, 20, Intent.LOW),
    ],
)
def test_seed_worked_examples_hold_under_both_rule_sets(
    seed_offer, rule_set, profile, rule_score, ai_score, total, intent
):
    lead = lead_from(profile)
    seed_offer.rule_set = rule_set
    seed_offer.save()
    score_offer(seed_offer)
    score = Score.objects.get(lead=lead, offer=seed_offer)
    assert (score.rule_score, score.ai_score, score.score, score.intent) == (
        rule_score, ai_score, total, intent,
    )  # fmt: skip
    assert (score.provider, score.model) == ("local", "local-keyword-v2")


def test_a_score_keeps_its_parts(seed_offer):
    lead = lead_from(replace(SCENARIO_1_HIGH, location="Austin"))
    score_offer(seed_offer)
    score = Score.objects.get(lead=lead)
    assert (score.role_points, score.role_keyword) == (20, "vp data")
    assert (score.industry_points, score.industry_keyword) == (20, "saas")
    assert score.completeness_points == 10
    assert score.ai_label == Intent.HIGH
    assert "buying signal: looking for" in score.ai_factors
    assert "Looking for" in score.reasoning


def test_the_label_comes_from_the_total_not_the_ai(seed_offer):
    seed_offer.rule_set = "seed"
    seed_offer.save()
    LeadFactory(role="Intern", industry="Retail", location="")
    score_offer(seed_offer, provider=FixedProvider(Intent.HIGH))
    score = Score.objects.get()
    assert (score.ai_label, score.score, score.intent) == (Intent.HIGH, 50, Intent.MEDIUM)


def test_every_lead_is_scored_once(seed_offer, settings):
    settings.SCORING_CHUNK_SIZE = 7
    LeadFactory.create_batch(20)
    summary = score_offer(seed_offer)
    assert (summary.scored, summary.skipped) == (20, 0)
    assert Score.objects.filter(offer=seed_offer).count() == 20


def test_leads_already_scored_are_skipped(seed_offer):
    LeadFactory.create_batch(3)
    provider = FixedProvider(Intent.LOW)
    score_offer(seed_offer, provider=provider)
    LeadFactory()
    summary = score_offer(seed_offer, provider=provider)
    assert (summary.scored, summary.skipped, provider.calls) == (1, 3, 4)
    assert Score.objects.count() == 4


def test_rescore_replaces_scores_without_duplicates(seed_offer):
    LeadFactory.create_batch(3)
    provider = FixedProvider(Intent.LOW)
    score_offer(seed_offer, provider=provider)
    summary = score_offer(seed_offer, rescore=True, provider=provider)
    assert (summary.scored, provider.calls) == (3, 6)
    assert Score.objects.count() == 3
    assert set(Score.objects.values_list("provider", "ai_label")) == {("fixed", Intent.LOW)}


@pytest.mark.parametrize("change", ["lead field", "offer", "provider model", "prompt version"])
def test_changing_what_the_answer_depends_on_scores_again(seed_offer, monkeypatch, change):
    lead = LeadFactory()
    LeadFactory()
    provider = FixedProvider(Intent.LOW, remote=True)
    score_offer(seed_offer, provider=provider)
    if change == "lead field":
        lead.linkedin_bio = "Now evaluating analytics vendors."
        lead.save()
    elif change == "offer":
        seed_offer.value_props = [*seed_offer.value_props, "Anomaly Detection"]
        seed_offer.save()
    elif change == "provider model":
        provider.model = "fixed-2"
    else:
        monkeypatch.setattr(
            "scoring.leads.services.scoring.prompt_version", lambda: "lead-intent-v99"
        )

    summary = score_offer(seed_offer, provider=provider)

    expected_calls = 1 if change == "lead field" else 2
    assert (summary.calls, summary.skipped) == (expected_calls, 2 - expected_calls)


def test_an_unchanged_score_makes_no_call(seed_offer):
    LeadFactory.create_batch(3)
    provider = FixedProvider(Intent.HIGH, remote=True)
    first = score_offer(seed_offer, provider=provider)
    second = score_offer(seed_offer, provider=provider)
    assert (first.calls, second.calls, second.skipped, provider.calls) == (3, 0, 3, 3)


def test_remote_scores_keep_their_accounting(seed_offer):
    LeadFactory()
    summary = score_offer(seed_offer, provider=FixedProvider(Intent.HIGH, remote=True))
    score = Score.objects.get()
    assert (score.prompt_version, score.input_tokens, score.output_tokens) == (
        prompt_version(), 100, 20,
    )  # fmt: skip
    assert score.latency_ms is not None and len(score.content_hash) == 64
    assert (summary.input_tokens, summary.output_tokens) == (100, 20)


def test_a_failed_call_keeps_the_rule_score_and_is_retried_next_run(seed_offer):
    LeadFactory(name="Fine")
    broken = LeadFactory(name="Broken", role="CEO", industry="SaaS")
    provider = FixedProvider(Intent.HIGH, remote=True, fail_for={"Broken"})

    summary = score_offer(seed_offer, provider=provider)

    assert (summary.scored, summary.failed) == (2, 1)
    assert summary.failures == [{"lead": broken.id, "error": "HTTP 503 from fixed"}]
    failed = Score.objects.get(lead=broken)
    assert (failed.ai_status, failed.ai_label, failed.ai_score) == (AiStatus.FAILED, "", 0)
    # General management of a company of unknown size 5, SaaS 20, complete 10.
    assert (failed.score, failed.rule_score, failed.intent) == (35, 35, None)
    assert failed.reasoning.startswith(AI_FAILED_REASONING.format(error="HTTP 503 from fixed"))
    assert "Rules 35/50: " in failed.reasoning  # both halves, the missing one said so

    provider.fail_for = set()
    retry = score_offer(seed_offer, provider=provider)

    assert (retry.calls, retry.skipped, retry.failed) == (1, 1, 0)
    assert Score.objects.get(lead=broken).ai_status == AiStatus.OK


def test_when_every_call_fails_the_run_is_a_502_and_writes_nothing(seed_offer):
    LeadFactory.create_batch(2)
    provider = FixedProvider(Intent.HIGH, remote=True, fail_for={"*"})
    with pytest.raises(ProviderUnavailable) as error:
        score_offer(seed_offer, provider=provider)
    assert error.value.status_code == 502
    assert error.value.message == PROVIDER_FAILED_ERROR.format(
        provider="fixed", error="HTTP 503 from fixed"
    )
    assert not Score.objects.exists()


def test_a_provider_that_fails_from_the_start_is_not_asked_about_every_lead(seed_offer, settings):
    settings.LLM_MAX_CONCURRENCY = 2
    LeadFactory.create_batch(40)
    provider = FixedProvider(Intent.HIGH, remote=True, fail_for={"*"})
    with pytest.raises(ProviderUnavailable):
        score_offer(seed_offer, provider=provider)
    assert provider.calls <= CIRCUIT_BREAKER_MIN_FAILURES + settings.LLM_MAX_CONCURRENCY


def test_calls_per_run_are_capped_and_the_rest_left_for_the_next_run(seed_offer, settings):
    settings.LLM_MAX_CALLS_PER_RUN = 3
    LeadFactory.create_batch(5)
    provider = FixedProvider(Intent.HIGH, remote=True)

    first = score_offer(seed_offer, provider=provider)
    second = score_offer(seed_offer, provider=provider)

    assert (first.calls, first.deferred, second.calls, second.skipped) == (3, 2, 2, 3)
    assert Score.objects.count() == 5


def test_the_local_provider_is_not_capped(seed_offer, settings):
    settings.LLM_MAX_CALLS_PER_RUN = 1
    LeadFactory.create_batch(3)
    assert score_offer(seed_offer).scored == 3


@pytest.mark.parametrize("concurrency", [1, 4])
def test_remote_calls_run_concurrently_up_to_the_limit(seed_offer, settings, concurrency):
    settings.LLM_MAX_CONCURRENCY = concurrency
    LeadFactory.create_batch(12)
    provider = FixedProvider(Intent.HIGH, remote=True, delay=0.03)
    score_offer(seed_offer, provider=provider)
    assert provider.peak_in_flight == concurrency
    assert Score.objects.count() == 12


def test_scores_for_another_offer_are_kept_apart(seed_offer):
    LeadFactory.create_batch(2)
    other = OfferFactory(name="Other")
    score_offer(seed_offer)
    score_offer(other)
    assert Score.objects.filter(offer=seed_offer).count() == 2
    assert Score.objects.filter(offer=other).count() == 2


def test_no_leads_is_an_error(seed_offer):
    with pytest.raises(InvalidInput) as error:
        score_offer(seed_offer)
    assert error.value.message == NO_LEADS_ERROR
