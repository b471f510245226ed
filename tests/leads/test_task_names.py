"""The scoring tasks answer to the names they had before the apps were split, so messages an
older release queued, and its beat schedule, still reach them."""

import pytest
from django.conf import settings

from intentscore.celery import app
from scoring.leads.tasks import plan_scoring_run, resume_stalled_runs, score_run_chunk


@pytest.mark.parametrize(
    ("task", "name"),
    [
        (plan_scoring_run, "scoring.tasks.plan_scoring_run"),
        (score_run_chunk, "scoring.tasks.score_run_chunk"),
        (resume_stalled_runs, "scoring.tasks.resume_stalled_runs"),
    ],
)
def test_a_task_keeps_its_name_from_before_the_split(task, name):
    assert task.name == name
    assert name in app.tasks


def test_the_beat_schedule_names_registered_tasks():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
