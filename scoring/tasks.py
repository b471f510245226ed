"""Celery tasks: thin wrappers around scoring/services/runs.py."""

from celery import shared_task

from scoring.services.runs import scoring_run_chunk_score, scoring_run_plan


@shared_task
def plan_scoring_run(run_id: int) -> None:
    for chunk_id in scoring_run_plan(run_id=run_id):
        score_run_chunk.delay(chunk_id)


@shared_task
def score_run_chunk(chunk_id: int) -> None:
    scoring_run_chunk_score(chunk_id=chunk_id)
