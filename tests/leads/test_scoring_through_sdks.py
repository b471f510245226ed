"""End to end: POST /score/ → a scoring run → a provider's real SDK → the stub LLM server."""

import pytest

from scoring.leads.models import AiStatus, Intent, Score
from scoring.leads.services.scoring import PROVIDER_FAILED_ERROR
from tests.factories import LeadFactory
from tests.llm_stub import label_for

pytestmark = pytest.mark.django_db

PROVIDERS = ["openai", "gemini", "ollama"]
SCORE_URL = "/score/"


@pytest.fixture
def sample_leads(account):
    bios = [
        "Scaling our machine learning analytics.",
        "Works with data every day.",
        "Runs a bakery.",
    ]
    return [LeadFactory(name=f"Lead {i}", linkedin_bio=bios[i % 3]) for i in range(9)]


@pytest.mark.parametrize("name", PROVIDERS)
def test_score_labels_every_lead_with_the_llms_answer(
    api_client, seed_offer, sample_leads, configure, llm_stub, name
):
    configure(name)

    response = api_client.post(SCORE_URL, format="json")

    assert response.status_code == 200
    assert llm_stub.calls == len(sample_leads)
    for lead in sample_leads:
        score = Score.objects.get(lead=lead, offer=seed_offer)
        expected = label_for({"linkedin_bio": lead.linkedin_bio})
        assert (score.ai_status, score.ai_label, score.provider) == (AiStatus.OK, expected, name)
        assert score.input_tokens and score.output_tokens


@pytest.mark.parametrize("name", PROVIDERS)
def test_calls_overlap_up_to_the_concurrency_limit(
    api_client, seed_offer, sample_leads, configure, llm_stub, name
):
    configure(name, LLM_MAX_CONCURRENCY=3)
    llm_stub.delay = 0.1

    api_client.post(SCORE_URL, format="json")

    assert llm_stub.peak_in_flight == 3


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_second_run_with_nothing_changed_makes_no_call(
    api_client, seed_offer, sample_leads, configure, llm_stub, name
):
    configure(name)
    first = api_client.post(SCORE_URL, format="json").json()
    calls_after_first = llm_stub.calls

    second = api_client.post(SCORE_URL, format="json").json()

    assert (calls_after_first, llm_stub.calls) == (len(sample_leads), len(sample_leads))
    assert first == second


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_rejected_key_makes_score_a_502_that_writes_nothing(
    api_client, seed_offer, sample_leads, configure, llm_stub, name
):
    configure(name)
    llm_stub.http_error(401)

    response = api_client.post(SCORE_URL, format="json")

    assert response.status_code == 502
    error = response.json()["error"]
    assert error.startswith(PROVIDER_FAILED_ERROR.format(provider=name, error="")[:-1])
    assert "stub-key" not in error
    assert not Score.objects.exists()


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_lead_that_fails_is_listed_then_retried_alone(
    api_client, seed_offer, sample_leads, configure, llm_stub, name
):
    configure(name, LLM_MAX_CONCURRENCY=1)
    llm_stub.fail_next(["400"])  # not retryable: the first lead's call fails for good
    url = f"/api/offers/{seed_offer.id}/score/"

    first = api_client.post(url, format="json").json()

    assert (first["scored"], first["failed"]) == (len(sample_leads), 1)
    failed_lead = first["failures"][0]["lead"]
    assert Score.objects.get(lead_id=failed_lead).intent is None
    seed_rows = {row["name"]: row for row in api_client.get("/results/").json()}
    assert seed_rows["Lead 0"]["intent"] is None

    calls_before = llm_stub.calls
    second = api_client.post(url, format="json").json()

    assert (second["calls"], second["skipped"], second["failed"]) == (1, len(sample_leads) - 1, 0)
    assert llm_stub.calls == calls_before + 1
    assert Score.objects.get(lead_id=failed_lead).ai_label == Intent.HIGH
