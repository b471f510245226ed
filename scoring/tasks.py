"""Celery tasks: thin wrappers around scoring/services/runs.py."""

from contextlib import suppress

from celery import shared_task
from django.db import DatabaseError, close_old_connections

from scoring.services.runs import scoring_run_chunk_score, scoring_run_fail, scoring_run_plan


def _fail_run(request, **task) -> None:
    """Fail the run of a task that raised. In a worker, which reuses its database connection
    (CELERY_DB_REUSE_MAX), the connection goes first if the error broke it: the next task
    reconnects. Eager (in the caller's process, maybe in its transaction), it stays."""
    if not request.is_eager:
        close_old_connections()
    with suppress(DatabaseError):  # the database may be what failed
        scoring_run_fail(**task)


@shared_task(bind=True)
def plan_scoring_run(self, run_id: int) -> None:
    try:
        chunk_ids = scoring_run_plan(run_id=run_id)
    except Exception as exc:
        _fail_run(self.request, run_id=run_id, error=exc)
        raise
    for chunk_id in chunk_ids:
        score_run_chunk.delay(chunk_id)


@shared_task(bind=True)
def score_run_chunk(self, chunk_id: int) -> None:
    try:
        scoring_run_chunk_score(chunk_id=chunk_id)
    except Exception as exc:
        _fail_run(self.request, chunk_id=chunk_id, error=exc)
        raise
