"""Celery tasks: thin wrappers around scoring/services/runs.py."""

from contextlib import suppress

from celery import shared_task
from django.db import DatabaseError

from scoring.services.runs import scoring_run_chunk_score, scoring_run_fail, scoring_run_plan


@shared_task
def plan_scoring_run(run_id: int) -> None:
    try:
        chunk_ids = scoring_run_plan(run_id=run_id)
    except Exception as exc:
        with suppress(DatabaseError):  # the database may be what failed
            scoring_run_fail(run_id=run_id, error=exc)
        raise
    for chunk_id in chunk_ids:
        score_run_chunk.delay(chunk_id)


@shared_task
def score_run_chunk(chunk_id: int) -> None:
    try:
        scoring_run_chunk_score(chunk_id=chunk_id)
    except Exception as exc:
        with suppress(DatabaseError):
            scoring_run_fail(chunk_id=chunk_id, error=exc)
        raise
