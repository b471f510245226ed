"""Starting, resuming and waiting for scoring runs: the services make and score a run
(scoring/leads/services/runs.py), the tasks carry it to the workers (scoring/leads/tasks.py);
this is where the two meet, so the services never import the tasks."""

import time
from collections.abc import Callable

from scoring.leads.models import Offer, ScoringRun
from scoring.leads.services.runs import (
    scoring_run_create,
    scoring_run_reopen,
)
from scoring.leads.tasks import scoring_run_queue


def scoring_run_start(
    *, offer: Offer, user=None, rescore: bool = False, lead_filter: dict | None = None
) -> ScoringRun:
    """Create a run and queue it. Without a broker its tasks run here and now."""
    run = scoring_run_create(offer=offer, user=user, rescore=rescore, lead_filter=lead_filter)
    scoring_run_queue(run)
    run.refresh_from_db()
    return run


def scoring_run_resume(*, run: ScoringRun, user=None) -> ScoringRun:
    """Reopen a run and queue what it has left (without a broker: score it here and now)."""
    run = scoring_run_reopen(run=run, user=user)
    scoring_run_queue(run)
    run.refresh_from_db()
    return run


def scoring_run_wait(
    *,
    run: ScoringRun,
    timeout: float,
    poll_seconds: float = 0.25,
    give_up: Callable[[], bool] = lambda: False,
) -> ScoringRun:
    """The run, reloaded, once it has finished, `timeout` seconds have passed, or give_up()
    says the waiter has gone."""
    deadline = time.monotonic() + timeout
    run.refresh_from_db()
    while run.status not in ScoringRun.FINISHED and time.monotonic() < deadline:
        time.sleep(poll_seconds)
        if give_up():
            break
        run.refresh_from_db()
    return run
