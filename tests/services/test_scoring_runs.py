"""Scoring runs in-process (no broker: Celery's eager mode), the way `make run` works."""

import pytest

from scoring.exceptions import InvalidInput
from scoring.models import AuditEvent, Score, ScoringRun, ScoringRunChunk
from scoring.services.runs import (
    RUN_FINISHED_ERROR,
    RUN_TASK_ERROR,
    scoring_run_cancel,
    scoring_run_chunk_score,
    scoring_run_create,
    scoring_run_plan,
    scoring_run_start,
)
from scoring.services.scoring import NO_LEADS_ERROR, PROVIDER_FAILED_ERROR
from tests.factories import AccountFactory, LeadFactory, LeadUploadFactory
from tests.services.test_leads_score import FixedProvider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.SCORING_CHUNK_SIZE = 4


def test_a_run_scores_every_lead_once_in_chunks(seed_offer, user):
    LeadFactory.create_batch(10)

    run = scoring_run_start(offer=seed_offer, user=user)

    assert run.status == ScoringRun.Status.DONE
    assert (run.total, run.scored, run.cached, run.failed) == (10, 10, 0, 0)
    assert (run.chunks_total, run.chunks_done) == (3, 3)
    assert run.started_at and run.finished_at and run.user == user
    assert Score.objects.filter(offer=seed_offer).count() == 10
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SCORING_RUN, user=user).exists()


def test_a_second_run_reuses_every_valid_score(seed_offer):
    LeadFactory.create_batch(6)
    scoring_run_start(offer=seed_offer)
    run = scoring_run_start(offer=seed_offer)
    assert (run.scored, run.cached) == (0, 6)


def test_a_run_scores_only_the_leads_its_filter_names(seed_offer):
    chosen = LeadUploadFactory()
    LeadFactory.create_batch(3, upload=chosen, industry="Retail")
    LeadFactory.create_batch(2, industry="retail")
    LeadFactory(industry="SaaS")

    by_upload = scoring_run_start(offer=seed_offer, lead_filter={"upload": chosen.id})
    by_industry = scoring_run_start(offer=seed_offer, lead_filter={"industry": "RETAIL"})

    assert (by_upload.total, by_upload.scored) == (3, 3)
    assert (by_industry.total, by_industry.scored, by_industry.cached) == (5, 2, 3)
    assert Score.objects.count() == 5


def test_a_run_never_scores_another_accounts_leads(seed_offer):
    LeadFactory.create_batch(2)
    LeadFactory.create_batch(3, account=AccountFactory(name="Other"))
    run = scoring_run_start(offer=seed_offer)
    assert run.total == 2
    assert set(Score.objects.values_list("lead__account", flat=True)) == {seed_offer.account_id}


def test_a_run_without_leads_is_refused(seed_offer):
    with pytest.raises(InvalidInput) as error:
        scoring_run_start(offer=seed_offer)
    assert error.value.message == NO_LEADS_ERROR
    assert not ScoringRun.objects.exists()


def test_a_chunk_delivered_twice_writes_and_counts_once(seed_offer):
    LeadFactory.create_batch(5)
    run = scoring_run_create(offer=seed_offer)
    chunk_ids = scoring_run_plan(run_id=run.pk)

    for chunk_id in [chunk_ids[0], *chunk_ids, chunk_ids[0]]:
        scoring_run_chunk_score(chunk_id=chunk_id)

    run.refresh_from_db()
    assert (run.status, run.scored, run.chunks_done) == (ScoringRun.Status.DONE, 5, 2)
    assert Score.objects.count() == 5


def test_planning_twice_makes_no_second_set_of_chunks(seed_offer):
    LeadFactory.create_batch(5)
    run = scoring_run_create(offer=seed_offer)
    first = scoring_run_plan(run_id=run.pk)
    again = scoring_run_plan(run_id=run.pk)
    assert first == again
    assert ScoringRunChunk.objects.filter(run=run).count() == 2


def test_a_cancelled_run_scores_no_further_chunk(seed_offer):
    LeadFactory.create_batch(8)
    run = scoring_run_create(offer=seed_offer)
    chunk_ids = scoring_run_plan(run_id=run.pk)
    scoring_run_chunk_score(chunk_id=chunk_ids[0])

    scoring_run_cancel(run=run)
    scoring_run_chunk_score(chunk_id=chunk_ids[1])

    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.scored) == (ScoringRun.Status.CANCELLED, 1, 4)
    assert Score.objects.count() == 4


def test_a_finished_run_cannot_be_cancelled(seed_offer):
    LeadFactory()
    run = scoring_run_start(offer=seed_offer)
    with pytest.raises(InvalidInput) as error:
        scoring_run_cancel(run=run)
    assert error.value.message == RUN_FINISHED_ERROR.format(run_id=run.pk, status="done")


def test_a_provider_that_fails_every_call_fails_the_run(seed_offer, monkeypatch):
    LeadFactory.create_batch(3)
    provider = FixedProvider("High", remote=True, fail_for={"*"})
    monkeypatch.setattr("scoring.services.runs.provider_from_settings", lambda: provider)

    run = scoring_run_start(offer=seed_offer)

    assert run.status == ScoringRun.Status.FAILED
    assert run.error == PROVIDER_FAILED_ERROR.format(provider="fixed", error="HTTP 503 from fixed")
    assert not Score.objects.exists()


def test_the_total_is_the_leads_there_when_the_run_is_planned(seed_offer):
    LeadFactory.create_batch(3)
    run = scoring_run_create(offer=seed_offer)
    LeadFactory.create_batch(2)  # uploaded while the run waited in the queue

    for chunk_id in scoring_run_plan(run_id=run.pk):
        scoring_run_chunk_score(chunk_id=chunk_id)

    run.refresh_from_db()
    assert (run.status, run.total, run.scored, run.chunks_total) == ("done", 5, 5, 2)


@pytest.mark.parametrize("failing", ["scoring_run_plan", "scoring_run_chunk_score"])
def test_a_task_that_raises_fails_its_run_rather_than_leave_it_running(
    seed_offer, monkeypatch, failing
):
    LeadFactory.create_batch(5)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(f"scoring.tasks.{failing}", broken)
    with pytest.raises(RuntimeError):
        scoring_run_start(offer=seed_offer)

    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.FAILED and run.finished_at
    assert run.error == RUN_TASK_ERROR.format(error="RuntimeError: disk full")
