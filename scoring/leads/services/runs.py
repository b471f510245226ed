"""Scoring runs: an offer's leads scored as Celery tasks, one per chunk of leads.

`scoring_run_create` makes the run (scoring/leads/dispatch.py queues it); a worker plans its chunks
(`scoring_run_plan`) and queues one task per chunk (`scoring_run_chunk_score`). A chunk's
scores, its "done" mark and the run's counters are written in one transaction, so a chunk
delivered twice (a worker killed mid-chunk) writes and counts nothing twice. Without a
broker (the embedded default) the same tasks run in the calling process.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from scoring.accounts.models import AuditEvent
from scoring.accounts.services import audit_record
from scoring.core.exceptions import InvalidInput
from scoring.leads.assessors import assessor_from_settings
from scoring.leads.models import Offer, ScoringRun, ScoringRunChunk
from scoring.leads.selectors import leads_for_run
from scoring.leads.services.idempotency import idempotency_run_bind
from scoring.leads.services.notify import run_digest_create
from scoring.leads.services.scoring import (
    NO_LEADS_ERROR,
    ProviderUnavailable,
    ScoringSummary,
    score_batch,
    scores_upsert,
)

logger = logging.getLogger(__name__)

RUN_FINISHED_ERROR = "Scoring run {run_id} has already finished ({status})."
RUN_NOT_RESUMABLE_ERROR = (
    "Scoring run {run_id} is {status}: only a running, queued or failed run can be resumed. "
    "Start a new run to score again."
)
RUN_TASK_ERROR = "Scoring stopped on an unexpected error: {error}"
RUN_UNREACHABLE_ERROR = (
    "Scoring stopped: the database or the broker stayed unreachable through {retries} "
    "retries ({error}). Resume the run once they are back."
)
RUN_STALLED_ERROR = (
    "Scoring stopped: no chunk of the run started or finished for {seconds:.0f} s, though it "
    "was queued again {resumes} times (are the workers running?). Resume it once they are."
)


@transaction.atomic
def scoring_run_create(
    *, offer: Offer, user=None, rescore: bool = False, lead_filter: dict | None = None
) -> ScoringRun:
    provider = assessor_from_settings()
    run = ScoringRun(
        account=offer.account,
        offer=offer,
        user=user if getattr(user, "is_authenticated", False) else None,
        provider=provider.name,
        model=provider.model,
        rescore=rescore,
        lead_filter=lead_filter or {},
    )
    run.total = leads_for_run(run).count()
    if not run.total:
        raise InvalidInput(NO_LEADS_ERROR)
    run.save()
    idempotency_run_bind(run=run)
    audit_record(
        account=offer.account,
        user=user,
        action=AuditEvent.Action.SCORING_RUN,
        obj=run,
        detail={
            "offer": offer.pk,
            "leads": run.total,
            "rescore": rescore,
            "filter": run.lead_filter,
        },
    )
    return run


@transaction.atomic
def scoring_run_plan(*, run_id: int) -> list[int]:
    """Split a queued run into chunks of SCORING_CHUNK_SIZE leads; their ids, to queue."""
    run = ScoringRun.objects.select_for_update().get(pk=run_id)
    if run.status != ScoringRun.Status.QUEUED:
        _finish_if_complete(run)  # a resumed run with nothing left
        return list(run.chunks.filter(done=False).values_list("pk", flat=True))
    ids = leads_for_run(run).order_by("id").values_list("id", flat=True)
    bounds, first, count, last, total = [], None, 0, None, 0
    for lead_id in ids.iterator(chunk_size=10_000):
        first = lead_id if first is None else first
        last, count, total = lead_id, count + 1, total + 1
        if count == settings.SCORING_CHUNK_SIZE:
            bounds.append((first, last))
            first, count = None, 0
    if first is not None:
        bounds.append((first, last))
    chunks = ScoringRunChunk.objects.bulk_create(
        ScoringRunChunk(run=run, first_id=first_id, last_id=last_id) for first_id, last_id in bounds
    )
    run.status = ScoringRun.Status.RUNNING if chunks else ScoringRun.Status.DONE
    run.chunks_total, run.started_at = len(chunks), timezone.now()
    run.finished_at = None if chunks else run.started_at
    run.heartbeat_at = run.started_at
    # The leads as planned: those uploaded or deleted while the run was queued change it.
    run.total = total
    changed = ["status", "total", "chunks_total", "started_at", "finished_at", "heartbeat_at"]
    run.save(update_fields=changed)
    return [chunk.pk for chunk in chunks]


def scoring_run_chunk_score(*, chunk_id: int) -> None:
    """Score one chunk's leads (provider calls outside any transaction), then write its
    scores, mark it done and add to the run's counters, all in one transaction."""
    chunk = ScoringRunChunk.objects.select_related("run__account", "run__offer").get(pk=chunk_id)
    run = chunk.run
    if chunk.done:  # redelivered, maybe after the run's finish was lost with its worker
        _finish_if_complete(run)
        return
    if run.status != ScoringRun.Status.RUNNING:
        return
    ScoringRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    leads = list(
        leads_for_run(run).filter(id__gte=chunk.first_id, id__lte=chunk.last_id).order_by("id")
    )
    summary = ScoringSummary(offer=run.offer)
    try:
        scores = score_batch(
            leads=leads,
            offer=run.offer,
            provider=assessor_from_settings(),
            rescore=run.rescore,
            summary=summary,
            call_budget=max(settings.LLM_MAX_CALLS_PER_RUN - run.scored, 0),
        )
    except ProviderUnavailable as exc:
        _finish(run, ScoringRun.Status.FAILED, error=exc.message)
        return
    with transaction.atomic():
        if ScoringRunChunk.objects.select_for_update().get(pk=chunk.pk).done:
            return  # another delivery of this chunk got there first
        scores_upsert(scores)
        ScoringRunChunk.objects.filter(pk=chunk.pk).update(done=True, finished_at=timezone.now())
        ScoringRun.objects.filter(pk=run.pk).update(
            scored=F("scored") + summary.scored,
            failed=F("failed") + summary.failed,
            cached=F("cached") + summary.skipped,
            deferred=F("deferred") + summary.deferred,
            calls=F("calls") + summary.calls,
            input_tokens=F("input_tokens") + summary.input_tokens,
            output_tokens=F("output_tokens") + summary.output_tokens,
            chunks_done=F("chunks_done") + 1,
            heartbeat_at=timezone.now(),
            resumes=0,
        )
        # In the same transaction: a run whose last chunk is written is done, whatever fails
        # after the commit.
        _finish_if_complete(run)


@transaction.atomic
def _finish_if_complete(run: ScoringRun) -> None:
    if ScoringRun.objects.filter(
        pk=run.pk, status=ScoringRun.Status.RUNNING, chunks_done=F("chunks_total")
    ).update(status=ScoringRun.Status.DONE, finished_at=timezone.now()):
        # With the finish, so that a run done is never without its digest; in a savepoint,
        # so that a digest that cannot be written costs the digest, not the chunk's scores.
        try:
            with transaction.atomic():
                run_digest_create(run=run)
        except Exception:
            logger.exception("The digest of run %s could not be written", run.pk)


def _finish(run: ScoringRun, status: str, *, error: str = "") -> int:
    """Finish a run that has not finished yet; how many rows changed (0 or 1)."""
    return (
        ScoringRun.objects.filter(pk=run.pk)
        .exclude(status__in=ScoringRun.FINISHED)
        .update(status=status, error=error, finished_at=timezone.now())
    )


def scoring_run_fail(
    *, error: Exception | str, run_id: int | None = None, chunk_id: int | None = None
) -> None:
    """Fail the run of a task (planning it, or one of its chunks) that raised. Celery
    acknowledges a task that raised, acks_late or not: nothing would finish the run."""
    if isinstance(error, Exception):
        error = RUN_TASK_ERROR.format(error=f"{type(error).__name__}: {error}")
    runs = ScoringRun.objects.all()
    runs = runs.filter(pk=run_id) if chunk_id is None else runs.filter(chunks=chunk_id)
    runs.exclude(status__in=ScoringRun.FINISHED).update(
        status=ScoringRun.Status.FAILED, error=error, finished_at=timezone.now()
    )


@transaction.atomic
def scoring_run_reopen(*, run: ScoringRun, user=None) -> ScoringRun:
    """Make a failed, stalled or interrupted run resumable: a failed one runs again (queued
    if it was never planned), its error cleared. Its finished chunks stay done."""
    run = ScoringRun.objects.select_for_update().get(pk=run.pk)
    if run.status in (ScoringRun.Status.DONE, ScoringRun.Status.CANCELLED):
        raise InvalidInput(RUN_NOT_RESUMABLE_ERROR.format(run_id=run.pk, status=run.status))
    if run.status == ScoringRun.Status.FAILED:
        planned = run.started_at is not None
        run.status = ScoringRun.Status.RUNNING if planned else ScoringRun.Status.QUEUED
        run.error, run.finished_at = "", None
    run.heartbeat_at, run.resumes = timezone.now(), 0
    run.save(update_fields=["status", "error", "finished_at", "heartbeat_at", "resumes"])
    audit_record(
        account=run.account, user=user, action=AuditEvent.Action.SCORING_RUN, obj=run,
        detail={"resumed": True, "chunks_left": run.chunks_total - run.chunks_done},
    )  # fmt: skip
    return run


def scoring_runs_requeue_stalled(
    *, queue: Callable[[ScoringRun], None], backlog: Callable[[], int | None]
) -> dict[str, list[int]]:
    """Queue again the unfinished runs whose tasks were lost (no chunk started or finished
    for SCORING_RUN_STALL_SECONDS while the queue is empty: not a backlog); fail those
    already queued again SCORING_RUN_MAX_RESUMES times. The ids of both, by what was done.
    `queue` sends a run's planning to the workers; `backlog` says how many tasks wait (None:
    the broker cannot say). Both are Celery's, passed in by scoring/leads/tasks.py."""
    stall = settings.SCORING_RUN_STALL_SECONDS
    outcome = {"resumed": [], "failed": []}
    stalled = ScoringRun.objects.exclude(status__in=ScoringRun.FINISHED).alias(
        last_seen=Coalesce("heartbeat_at", "created_at")
    )
    stalled = stalled.filter(last_seen__lt=timezone.now() - timedelta(seconds=stall))
    if not stalled.exists() or backlog() != 0:  # a backlog, or the broker cannot say
        return outcome
    for run_id in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            run = stalled.select_for_update(skip_locked=True).filter(pk=run_id).first()
            if run is None:  # finished meanwhile, or another check has it
                continue
            if run.resumes >= settings.SCORING_RUN_MAX_RESUMES:
                error = RUN_STALLED_ERROR.format(seconds=stall, resumes=run.resumes)
                _finish(run, ScoringRun.Status.FAILED, error=error)
                outcome["failed"].append(run.pk)
                continue
            ScoringRun.objects.filter(pk=run.pk).update(
                heartbeat_at=timezone.now(), resumes=F("resumes") + 1
            )
            queue(run)
            outcome["resumed"].append(run.pk)
    if any(outcome.values()):
        logger.warning("Stalled scoring runs: %s", outcome)
    return outcome


@transaction.atomic
def scoring_run_cancel(*, run: ScoringRun, user=None) -> ScoringRun:
    """Stop a run: chunks not yet started are skipped; a chunk being scored finishes."""
    if not _finish(run, ScoringRun.Status.CANCELLED):
        run.refresh_from_db()
        raise InvalidInput(RUN_FINISHED_ERROR.format(run_id=run.pk, status=run.status))
    audit_record(
        account=run.account, user=user, action=AuditEvent.Action.DELETE, obj=run,
        detail={"cancelled": True},
    )  # fmt: skip
    run.refresh_from_db()
    return run
