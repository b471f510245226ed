"""Celery tasks, thin wrappers around scoring/leads/services/runs.py, and how a run is sent
to them (`scoring_run_queue`)."""

import logging
import random
from contextlib import suppress

import kombu.exceptions
from celery import current_app, shared_task
from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    transaction,
)

from scoring.leads.models import ScoringRun
from scoring.leads.services.runs import (
    RUN_UNREACHABLE_ERROR,
    scoring_run_chunk_score,
    scoring_run_fail,
    scoring_run_plan,
    scoring_runs_requeue_stalled,
)

logger = logging.getLogger(__name__)

# The names the tasks had before the apps were split (scoring/tasks.py): messages queued by
# an older release, and a beat schedule written for it, still reach them.
TASK_NAME = "scoring.tasks.{}"

# The database or the broker out of reach: the task is worth trying again later.
INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError)


def _fail_run(request, *, error, **task) -> None:
    """Fail the run of a task that raised. In a worker, which reuses its database connection
    (CELERY_DB_REUSE_MAX), the connection goes first if the error broke it: the next task
    reconnects. Eager (in the caller's process, maybe in its transaction), it stays."""
    if not request.is_eager:
        close_old_connections()
    with suppress(DatabaseError):  # the database may be what failed
        scoring_run_fail(error=error, **task)


def retry_countdown(retries: int) -> float:
    """Exponential backoff with jitter (between half and all of the step), so workers that
    lost the database together do not all come back at the same moment."""
    step = min(settings.SCORING_RETRY_BACKOFF * 2**retries, settings.SCORING_RETRY_BACKOFF_MAX)
    return random.uniform(step / 2, step)


def _run_task(task, work, **ids) -> None:
    """Run work(); an infrastructure failure is retried with backoff (in a worker: eager,
    there is no queue to come back through), any other failure fails the run."""
    try:
        work()
    except INFRASTRUCTURE_ERRORS as exc:
        retries = task.request.retries
        if task.request.is_eager or retries >= settings.SCORING_RETRY_LIMIT:
            # The run's error is shown to API clients: the class only, never the host or
            # port the driver's message names (that goes to the log).
            logger.error("Scoring task %s gave up: %s", ids, exc)
            error = RUN_UNREACHABLE_ERROR.format(retries=retries, error=type(exc).__name__)
            _fail_run(task.request, error=error, **ids)
            raise
        close_old_connections()
        raise task.retry(exc=exc, countdown=retry_countdown(retries), max_retries=None) from exc
    except Exception as exc:
        _fail_run(task.request, error=exc, **ids)
        raise


@shared_task(bind=True, name=TASK_NAME.format("plan_scoring_run"))
def plan_scoring_run(self, run_id: int) -> None:
    def plan():
        for chunk_id in scoring_run_plan(run_id=run_id):
            score_run_chunk.delay(chunk_id)

    _run_task(self, plan, run_id=run_id)


@shared_task(bind=True, name=TASK_NAME.format("score_run_chunk"))
def score_run_chunk(self, chunk_id: int) -> None:
    _run_task(self, lambda: scoring_run_chunk_score(chunk_id=chunk_id), chunk_id=chunk_id)


@shared_task(name=TASK_NAME.format("resume_stalled_runs"))
def resume_stalled_runs() -> dict[str, list[int]]:
    """Run by `celery -A intentscore beat` every SCORING_RUN_CHECK_SECONDS."""
    return scoring_runs_requeue_stalled(queue=scoring_run_queue, backlog=broker_backlog)


def scoring_run_queue(run: ScoringRun) -> None:
    """Queue the run's planning, which queues its unfinished chunks. With a broker, once the
    caller's transaction has committed (a worker must find the run), and a broker that does
    not answer leaves the run for the stalled-run check rather than failing the request."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        plan_scoring_run.delay(run.pk)  # this process, this connection: nothing to commit
        return

    def send():
        try:
            plan_scoring_run.delay(run.pk)
        except kombu.exceptions.OperationalError:
            logger.exception(
                "Could not queue scoring run %s; the stalled-run check will queue it", run.pk
            )

    transaction.on_commit(send)


def broker_backlog() -> int | None:
    """How many tasks wait in the scoring queue, or None if the broker cannot say."""
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker: nothing ever waits
        return 0
    try:
        with current_app.connection_for_read() as connection:
            queue = current_app.amqp.default_queue.bind(connection.default_channel)
            return queue.queue_declare(passive=True).message_count
    except Exception:  # a broker down or a queue not declared yet: nothing to go by
        logger.warning("Could not read the scoring queue's length", exc_info=True)
        return None
