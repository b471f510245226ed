"""Scoring runs in-process (no broker: Celery's eager mode), the way `make run` works."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from scoring.accounts.models import AuditEvent
from scoring.core.exceptions import InvalidInput
from scoring.leads.dispatch import (
    scoring_run_resume,
    scoring_run_start,
)
from scoring.leads.models import Score, ScoringRun, ScoringRunChunk
from scoring.leads.services.runs import (
    RUN_FINISHED_ERROR,
    RUN_NOT_RESUMABLE_ERROR,
    RUN_STALLED_ERROR,
    RUN_TASK_ERROR,
    RUN_UNREACHABLE_ERROR,
    scoring_run_cancel,
    scoring_run_chunk_score,
    scoring_run_create,
    scoring_run_fail,
    scoring_run_plan,
    scoring_run_reopen,
)
from scoring.leads.services.scoring import NO_LEADS_ERROR, PROVIDER_FAILED_ERROR
from scoring.leads.tasks import resume_stalled_runs, retry_countdown
from tests.factories import AccountFactory, LeadFactory, LeadUploadFactory, ScoringRunFactory
from tests.leads.scoring_helpers import FixedProvider

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
    monkeypatch.setattr("scoring.leads.services.runs.assessor_from_settings", lambda: provider)

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

    monkeypatch.setattr(f"scoring.leads.tasks.{failing}", broken)
    with pytest.raises(RuntimeError):
        scoring_run_start(offer=seed_offer)

    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.FAILED and run.finished_at
    assert run.error == RUN_TASK_ERROR.format(error="RuntimeError: disk full")


# --- Retrying, resuming and recovering stalled runs ---------------------------------------


def failed_half_way(seed_offer) -> ScoringRun:
    """A run of 8 leads whose first chunk was scored before it failed."""
    LeadFactory.create_batch(8)
    run = scoring_run_create(offer=seed_offer)
    chunk_ids = scoring_run_plan(run_id=run.pk)
    scoring_run_chunk_score(chunk_id=chunk_ids[0])
    scoring_run_fail(run_id=run.pk, error="the database went away")
    run.refresh_from_db()
    assert (run.status, run.chunks_done) == (ScoringRun.Status.FAILED, 1)
    return run


def test_a_failed_run_resumes_where_it_stopped(seed_offer, user):
    run = failed_half_way(seed_offer)

    run = scoring_run_resume(run=run, user=user)

    assert (run.status, run.error, run.finished_at is not None) == ("done", "", True)
    assert (run.total, run.scored, run.chunks_done) == (8, 8, 2)
    assert Score.objects.filter(offer=seed_offer).count() == 8
    resumed = AuditEvent.objects.filter(action=AuditEvent.Action.SCORING_RUN, user=user).get()
    assert resumed.detail == {"resumed": True, "chunks_left": 1}


def test_a_run_that_failed_before_it_was_planned_is_queued_again(seed_offer):
    LeadFactory.create_batch(2)
    run = scoring_run_create(offer=seed_offer)
    scoring_run_fail(run_id=run.pk, error="the broker went away")

    run = scoring_run_reopen(run=run)

    assert (run.status, run.error, run.finished_at) == (ScoringRun.Status.QUEUED, "", None)


@pytest.mark.parametrize("status", [ScoringRun.Status.DONE, ScoringRun.Status.CANCELLED])
def test_a_done_or_cancelled_run_does_not_resume(seed_offer, status):
    run = ScoringRunFactory(offer=seed_offer, status=status)
    with pytest.raises(InvalidInput) as error:
        scoring_run_resume(run=run)
    assert error.value.message == RUN_NOT_RESUMABLE_ERROR.format(run_id=run.pk, status=status)


def test_a_chunk_beats_the_heartbeat_and_counts_the_calls(seed_offer, monkeypatch):
    LeadFactory.create_batch(5)
    provider = FixedProvider("High", remote=True)
    monkeypatch.setattr("scoring.leads.services.runs.assessor_from_settings", lambda: provider)
    run = scoring_run_create(offer=seed_offer)
    chunk_ids = scoring_run_plan(run_id=run.pk)
    run.refresh_from_db()
    planned_at = run.heartbeat_at
    assert planned_at == run.started_at

    scoring_run_chunk_score(chunk_id=chunk_ids[0])

    run.refresh_from_db()
    assert run.heartbeat_at > planned_at
    assert (run.calls, run.scored) == (4, 4)


def stalled(run: ScoringRun, *, minutes: int, resumes: int = 0) -> ScoringRun:
    ScoringRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes), resumes=resumes
    )
    return run


def test_a_stalled_run_is_queued_again_and_a_live_one_left_alone(seed_offer, settings):
    settings.SCORING_RUN_STALL_SECONDS = 600
    lost = stalled(failed_half_way(seed_offer), minutes=11)
    ScoringRun.objects.filter(pk=lost.pk).update(status=ScoringRun.Status.RUNNING, error="")
    live = stalled(ScoringRunFactory(offer=seed_offer, status="running"), minutes=9)

    outcome = resume_stalled_runs()

    assert outcome == {"resumed": [lost.pk], "failed": []}
    lost.refresh_from_db()
    assert (lost.status, lost.scored, lost.chunks_done) == ("done", 8, 2)
    live.refresh_from_db()
    assert (live.status, live.resumes) == ("running", 0)


def test_a_run_still_stalled_after_its_resumes_fails_with_the_reason(seed_offer, settings):
    settings.SCORING_RUN_STALL_SECONDS, settings.SCORING_RUN_MAX_RESUMES = 600, 3
    run = stalled(ScoringRunFactory(offer=seed_offer, status="running"), minutes=20, resumes=3)

    outcome = resume_stalled_runs()

    assert outcome == {"resumed": [], "failed": [run.pk]}
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED
    assert run.error == RUN_STALLED_ERROR.format(seconds=600, resumes=3)


def test_the_stalled_run_check_is_scheduled(settings):
    from intentscore.celery import app

    (entry,) = settings.CELERY_BEAT_SCHEDULE.values()
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.SCORING_RUN_CHECK_SECONDS


def test_an_unreachable_database_in_process_fails_the_run_with_the_reason(seed_offer, monkeypatch):
    # In a worker the task is retried instead (tests/integration/test_celery_runs.py).
    LeadFactory.create_batch(2)

    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("scoring.leads.tasks.scoring_run_chunk_score", unreachable)
    with pytest.raises(OperationalError):
        scoring_run_start(offer=seed_offer)

    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.FAILED
    assert run.error == RUN_UNREACHABLE_ERROR.format(retries=0, error="OperationalError")
    assert "connection refused" not in run.error  # the driver's text names hosts and ports


def test_retries_back_off_exponentially_up_to_the_limit(settings):
    settings.SCORING_RETRY_BACKOFF, settings.SCORING_RETRY_BACKOFF_MAX = 2.0, 60.0
    for retries, step in [(0, 2.0), (1, 4.0), (3, 16.0), (5, 60.0), (30, 60.0)]:
        countdowns = [retry_countdown(retries) for _ in range(50)]
        assert all(step / 2 <= countdown <= step for countdown in countdowns), retries


def test_a_run_whose_finish_was_lost_after_its_last_chunk_finishes_when_redelivered(seed_offer):
    LeadFactory.create_batch(3)
    run = scoring_run_create(offer=seed_offer)
    (chunk_id,) = scoring_run_plan(run_id=run.pk)
    scoring_run_chunk_score(chunk_id=chunk_id)
    # As if the worker died between the chunk's commit and the run's "done".
    ScoringRun.objects.filter(pk=run.pk).update(status="running", finished_at=None)

    scoring_run_chunk_score(chunk_id=chunk_id)  # the redelivery

    run.refresh_from_db()
    assert (run.status, run.scored, run.chunks_done) == ("done", 3, 1)
