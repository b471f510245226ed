import kombu.exceptions
import pytest

from scoring.leads.models import ScoringRun
from scoring.leads.selectors import UPLOAD_NOT_FOUND_ERROR
from scoring.leads.services.runs import RUN_FINISHED_ERROR, RUN_NOT_RESUMABLE_ERROR
from scoring.leads.services.scoring import PROVIDER_FAILED_ERROR
from tests.factories import LeadFactory, ScoringRunFactory
from tests.leads.scoring_helpers import FixedProvider

pytestmark = pytest.mark.django_db

RUNS_URL = "/api/runs/"


def test_starting_a_run_answers_202_with_its_location(api_client, seed_offer):
    LeadFactory.create_batch(3)

    response = api_client.post(RUNS_URL, {"offer": seed_offer.id}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == f"http://testserver/api/runs/{body['id']}/"
    assert (body["status"], body["total"], body["scored"]) == ("done", 3, 3)
    progress = api_client.get(response["Location"]).json()
    assert (progress["chunks_done"], progress["chunks_total"]) == (1, 1)


def test_a_run_for_an_unknown_offer_is_404(api_client, seed_offer):
    response = api_client.post(RUNS_URL, {"offer": 987654}, format="json")
    assert response.status_code == 404


def test_a_run_with_a_foreign_upload_filter_is_404(api_client, seed_offer):
    LeadFactory()
    other_upload = LeadFactory(account__name="Other").upload
    response = api_client.post(
        RUNS_URL,
        {"offer": seed_offer.id, "lead_filter": {"upload": other_upload.id}},
        format="json",
    )
    assert response.status_code == 404
    assert response.json() == {"error": UPLOAD_NOT_FOUND_ERROR.format(upload_id=other_upload.id)}
    assert not ScoringRun.objects.exists()


def test_runs_are_listed_newest_first_and_filtered_by_status(api_client, seed_offer):
    older = ScoringRunFactory(offer=seed_offer)
    newer = ScoringRunFactory(offer=seed_offer, status=ScoringRun.Status.DONE)
    listed = [run["id"] for run in api_client.get(RUNS_URL).json()["results"]]
    done = [run["id"] for run in api_client.get(RUNS_URL, {"status": "done"}).json()["results"]]
    assert (listed, done) == ([newer.id, older.id], [newer.id])


def test_cancelling_a_queued_run(api_client, seed_offer):
    run = ScoringRunFactory(offer=seed_offer)
    response = api_client.post(f"{RUNS_URL}{run.id}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")


def test_cancelling_a_finished_run_is_400(api_client, seed_offer):
    run = ScoringRunFactory(offer=seed_offer, status=ScoringRun.Status.DONE)
    response = api_client.post(f"{RUNS_URL}{run.id}/cancel/")
    assert response.status_code == 400
    assert response.json()["error"] == RUN_FINISHED_ERROR.format(run_id=run.id, status="done")


def test_seed_score_answers_202_and_the_run_when_it_outlasts_the_wait(
    api_client, seed_offer, settings, monkeypatch
):
    LeadFactory.create_batch(2)
    settings.SCORE_SYNC_TIMEOUT = 0
    # As with a broker whose workers are busy: the run stays queued.
    monkeypatch.setattr("scoring.leads.tasks.plan_scoring_run.delay", lambda run_id: None)

    response = api_client.post("/score/", format="json")

    assert response.status_code == 202
    run = ScoringRun.objects.get()
    assert response["Location"].endswith(f"/api/runs/{run.id}/")
    assert response.json()["status"] == "queued"


def test_seed_score_is_a_502_when_the_provider_fails_every_call(
    api_client, seed_offer, monkeypatch
):
    LeadFactory.create_batch(2)
    provider = FixedProvider("High", remote=True, fail_for={"*"})
    monkeypatch.setattr("scoring.leads.services.runs.assessor_from_settings", lambda: provider)

    response = api_client.post("/score/", format="json")

    assert response.status_code == 502
    assert response.json() == {
        "error": PROVIDER_FAILED_ERROR.format(provider="fixed", error="HTTP 503 from fixed")
    }


def test_resuming_a_failed_run_scores_what_it_had_left(api_client, seed_offer):
    LeadFactory.create_batch(3)
    run = ScoringRunFactory(offer=seed_offer, status=ScoringRun.Status.FAILED, error="down")

    response = api_client.post(f"{RUNS_URL}{run.id}/resume/")

    assert response.status_code == 202
    assert response["Location"] == f"http://testserver/api/runs/{run.id}/"
    body = response.json()
    assert (body["status"], body["error"], body["scored"], body["total"]) == ("done", "", 3, 3)


def test_resuming_a_done_run_is_400_and_another_accounts_run_404(api_client, seed_offer):
    done = ScoringRunFactory(offer=seed_offer, status=ScoringRun.Status.DONE)
    theirs = ScoringRunFactory(account__name="Other", status=ScoringRun.Status.FAILED)

    refused = api_client.post(f"{RUNS_URL}{done.id}/resume/")
    hidden = api_client.post(f"{RUNS_URL}{theirs.id}/resume/")

    assert refused.status_code == 400
    assert refused.json()["error"] == RUN_NOT_RESUMABLE_ERROR.format(run_id=done.id, status="done")
    assert hidden.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ScoringRun.Status.FAILED


def test_a_run_started_while_the_broker_is_down_is_kept_queued(
    api_client, seed_offer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    LeadFactory.create_batch(2)
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(run_id):
        raise kombu.exceptions.OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr("scoring.leads.tasks.plan_scoring_run.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RUNS_URL, {"offer": seed_offer.id}, format="json")

    assert (response.status_code, response.json()["status"]) == (202, "queued")
    assert ScoringRun.objects.get().status == ScoringRun.Status.QUEUED  # for the stall check
