"""Scoring runs on the real services: `celery -A intentscore worker` processes consuming from
RabbitMQ and writing to PostgreSQL, started, killed and cancelled as in production.

The worker is another process, so it must see what the test wrote: these tests commit
(transactional database), and the worker uses the same test database. Each test session
has its own queue, so parallel sessions on one broker do not take each other's tasks.
"""

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import kombu.pools
import psutil
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from intentscore.celery import app
from scoring.leads.models import Lead, Score, ScoringRun, ScoringRunChunk
from scoring.leads.services.runs import RUN_UNREACHABLE_ERROR
from scoring.leads.tasks import resume_stalled_runs
from tests.factories import LeadUploadFactory
from tests.integration.processes import (
    database_url_for_subprocesses,
    kill_process_group,
    wait_until,
)
from tests.llm_stub import unused_port
from tests.real_services import TEST_BROKER_URL

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_rabbitmq,
    pytest.mark.django_db(transaction=True),
]

QUEUE = f"intentscore-test-{uuid.uuid4().hex[:12]}"
RUNS_URL = "/api/runs/"
WAIT_SECONDS = 30
ROLES = ["CEO", "Head of Data", "Marketing Intern", "VP Sales", ""]
INDUSTRIES = ["SaaS", "Retail", "Healthcare", ""]


def _reset_celery_clients() -> None:
    """Celery builds its queues and broker connection pool once, from the settings of their
    first use: drop them so that changed settings take effect."""
    kombu.pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def broker(settings):
    """This process sends runs to RabbitMQ, on this session's queue (emptied before and
    after), as the web server does with CELERY_BROKER_URL set."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    changed = {"broker_url": TEST_BROKER_URL, "task_always_eager": False}
    changed["task_default_queue"] = QUEUE
    saved = {key: app.conf[key] for key in changed}
    app.conf.update(changed)
    _reset_celery_clients()
    with app.connection_for_write() as conn:
        queue = app.amqp.default_queue.bind(conn.default_channel)
        queue.declare()
        queue.purge()
    yield
    with app.connection_for_write() as conn:
        app.amqp.default_queue.bind(conn.default_channel).delete()
    app.conf.update(saved)
    _reset_celery_clients()


class Workers:
    """Worker processes, each in its own process group, all killed at the end."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(
        self, *, chunk_size: int, slow_chunk_seconds: float = 0.0, **env: str
    ) -> subprocess.Popen:
        """A worker; env adds to (or replaces) its environment, DATABASE_URL included."""
        if slow_chunk_seconds:
            command = [sys.executable, "-m", "tests.integration.slow_worker"]
        else:
            command = [sys.executable, "-m", "celery", "-A", "intentscore", "worker"]
        command += [
            "--pool=prefork", "--concurrency=1", f"--queues={QUEUE}", "--loglevel=INFO",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            f"--hostname=test-{len(self.processes)}@%h",
        ]  # fmt: skip
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocesses(),
            "CELERY_BROKER_URL": TEST_BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "LLM_PROVIDER": "local",
            "SCORING_CHUNK_SIZE": str(chunk_size),
            "SLOW_CHUNK_SECONDS": str(slow_chunk_seconds),
            **env,
        }
        log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            command,
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("worker-*.log")))

    def wait_for(self, condition: Callable[[], bool], what: str, timeout=WAIT_SECONDS) -> None:
        wait_until(condition, what, timeout=timeout, logs=self.logs)

    # SIGKILL the worker and its pool processes, as when its machine goes away.
    kill = staticmethod(kill_process_group)


@pytest.fixture
def workers(broker, transactional_db, tmp_path):
    started = Workers(tmp_path)
    yield started
    for process in started.processes:
        Workers.kill(process)


def leads_create(account, count: int) -> list[int]:
    upload = LeadUploadFactory(account=account, row_count=count)
    leads = Lead.objects.bulk_create(
        Lead(
            account=account,
            upload=upload,
            name=f"Lead {i}",
            role=ROLES[i % len(ROLES)],
            company=f"Company {i}",
            industry=INDUSTRIES[i % len(INDUSTRIES)],
            linkedin_bio="Scaling our data team with machine learning analytics." * (i % 2),
        )
        for i in range(count)
    )
    return [lead.id for lead in leads]


def run_start(api_client, offer) -> ScoringRun:
    response = api_client.post(RUNS_URL, {"offer": offer.id}, format="json")
    assert response.status_code == 202, response.content
    assert response["Location"].endswith(f"{RUNS_URL}{response.json()['id']}/")
    return ScoringRun.objects.get(pk=response.json()["id"])


def chunks_done(run: ScoringRun) -> int:
    run.refresh_from_db()
    return run.chunks_done


def finished(run: ScoringRun) -> bool:
    run.refresh_from_db()
    return run.status in ScoringRun.FINISHED


def assert_each_lead_scored_once(run: ScoringRun, lead_ids: list[int]) -> None:
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE, run.error
    assert (run.total, run.scored + run.cached, run.failed) == (len(lead_ids), len(lead_ids), 0)
    assert run.chunks_done == run.chunks_total == ScoringRunChunk.objects.filter(run=run).count()
    scored = Score.objects.filter(offer=run.offer).values_list("lead_id", flat=True)
    assert sorted(scored) == sorted(lead_ids)


def test_a_worker_scores_every_lead_of_a_run_exactly_once(workers, api_client, seed_offer):
    lead_ids = leads_create(seed_offer.account, 3000)
    workers.start(chunk_size=250)

    run = run_start(api_client, seed_offer)
    seen = []  # chunks_done as the run goes: it never goes back, nor past chunks_total
    workers.wait_for(lambda: seen.append(chunks_done(run)) or finished(run), "the run")
    # The run may have finished between the last sample and the look at its status.
    seen.append(chunks_done(run))

    assert_each_lead_scored_once(run, lead_ids)
    assert run.chunks_total == 12
    assert seen == sorted(seen) and seen[-1] == 12
    progress = api_client.get(f"{RUNS_URL}{run.id}/").json()
    assert (progress["status"], progress["scored"], progress["cached"]) == ("done", 3000, 0)
    assert (progress["chunks_done"], progress["chunks_total"]) == (12, 12)


def test_a_pool_process_killed_mid_chunk_has_its_chunk_redone(workers, api_client, seed_offer):
    # acks_late + reject_on_worker_lost: the worker gives the chunk back to the queue.
    lead_ids = leads_create(seed_offer.account, 1000)
    worker = workers.start(chunk_size=100, slow_chunk_seconds=0.3)
    run = run_start(api_client, seed_offer)
    workers.wait_for(lambda: chunks_done(run) >= 2, "two chunks")

    (pool_process,) = psutil.Process(worker.pid).children()
    pool_process.kill()  # SIGKILL, 0.3 s into a chunk of at least 0.3 s
    workers.wait_for(lambda: finished(run), "the run")

    assert_each_lead_scored_once(run, lead_ids)
    assert not pool_process.is_running() and psutil.Process(worker.pid).children()


def test_a_worker_killed_mid_run_leaves_the_rest_to_another(workers, api_client, seed_offer):
    lead_ids = leads_create(seed_offer.account, 1000)
    first = workers.start(chunk_size=100, slow_chunk_seconds=0.3)
    run = run_start(api_client, seed_offer)
    workers.wait_for(lambda: chunks_done(run) >= 2, "two chunks")

    Workers.kill(first)
    assert not finished(run) and run.chunks_done < run.chunks_total == 10
    workers.start(chunk_size=100)
    workers.wait_for(lambda: finished(run), "the run")

    assert_each_lead_scored_once(run, lead_ids)


def test_a_cancelled_run_stops_scoring(workers, api_client, seed_offer):
    leads_create(seed_offer.account, 1500)
    workers.start(chunk_size=50, slow_chunk_seconds=0.2)
    run = run_start(api_client, seed_offer)
    workers.wait_for(lambda: chunks_done(run) >= 1, "the first chunk")

    response = api_client.post(f"{RUNS_URL}{run.id}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    done_when_cancelled = response.json()["chunks_done"]
    time.sleep(1.0)  # five chunks' time: at most the chunk being scored finishes
    settled = (chunks_done(run), Score.objects.filter(offer=seed_offer).count())
    time.sleep(0.5)

    assert (chunks_done(run), Score.objects.filter(offer=seed_offer).count()) == settled
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.CANCELLED
    assert done_when_cancelled <= run.chunks_done <= done_when_cancelled + 1
    assert run.chunks_done < run.chunks_total == 30
    # The counts say what was written: every finished chunk's leads, nothing else.
    done_leads = sum(
        Lead.objects.filter(id__gte=chunk.first_id, id__lte=chunk.last_id).count()
        for chunk in ScoringRunChunk.objects.filter(run=run, done=True)
    )
    assert run.scored + run.cached == settled[1] == done_leads == 50 * run.chunks_done


def test_seed_score_waits_for_a_worker_or_answers_202(workers, api_client, seed_offer, settings):
    lead_ids = leads_create(seed_offer.account, 40)
    settings.SCORE_SYNC_TIMEOUT = 0.01  # no worker yet: the run waits in the queue

    response = api_client.post("/score/", format="json")

    assert response.status_code == 202
    queued = ScoringRun.objects.get(pk=response.json()["id"])
    assert response["Location"].endswith(f"{RUNS_URL}{queued.id}/")
    assert response.json()["status"] == "queued"
    workers.start(chunk_size=25)
    workers.wait_for(lambda: finished(queued), "the queued run")
    assert_each_lead_scored_once(queued, lead_ids)

    settings.SCORE_SYNC_TIMEOUT = WAIT_SECONDS
    response = api_client.post("/score/", {"rescore": True}, format="json")

    assert response.status_code == 200, response.content
    names = Lead.objects.filter(id__in=lead_ids).values_list("name", flat=True)
    assert sorted(row["name"] for row in response.json()) == sorted(names)
    assert ScoringRun.objects.get(pk__gt=queued.id).status == ScoringRun.Status.DONE


def test_chunks_that_lose_the_database_are_retried_until_it_is_back(
    workers, api_client, seed_offer
):
    lead_ids = leads_create(seed_offer.account, 1000)
    healthy = workers.start(chunk_size=100, slow_chunk_seconds=0.3)
    run = run_start(api_client, seed_offer)
    workers.wait_for(lambda: chunks_done(run) >= 2, "two chunks")
    Workers.kill(healthy)
    done_before = chunks_done(run)

    # A worker whose database is unreachable: a port where nothing listens.
    dead_database = database_url_for_subprocesses().replace(
        f":{connection.settings_dict['PORT'] or 5432}/", f":{unused_port()}/"
    )
    workers.start(
        chunk_size=100,
        DATABASE_URL=dead_database,
        SCORING_RETRY_BACKOFF="0.2",
        SCORING_RETRY_BACKOFF_MAX="1",
    )
    workers.wait_for(lambda: workers.logs().count("Retry in") >= 5, "retries")
    run.refresh_from_db()
    assert (run.status, run.chunks_done) == (ScoringRun.Status.RUNNING, done_before)

    Workers.kill(workers.processes[-1])  # the database is "back": a worker that reaches it
    workers.start(chunk_size=100)
    workers.wait_for(lambda: finished(run), "the run")

    assert_each_lead_scored_once(run, lead_ids)


def test_a_run_whose_tasks_were_lost_is_found_stalled_and_resumed(
    workers, api_client, seed_offer, settings
):
    lead_ids = leads_create(seed_offer.account, 300)
    run = run_start(api_client, seed_offer)  # no worker yet: its task waits in the queue
    with app.connection_for_write() as conn:
        assert app.amqp.default_queue.bind(conn.default_channel).purge() == 1  # lost
    settings.SCORING_RUN_STALL_SECONDS = 60
    ScoringRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    assert resume_stalled_runs() == {"resumed": [run.pk], "failed": []}
    workers.start(chunk_size=100)
    workers.wait_for(lambda: finished(run), "the resumed run")

    assert_each_lead_scored_once(run, lead_ids)


def test_manage_py_score_resume_finishes_a_failed_run_on_the_workers(workers, seed_offer):
    lead_ids = leads_create(seed_offer.account, 300)
    run = ScoringRun.objects.create(
        account=seed_offer.account,
        offer=seed_offer,
        provider="local",
        status=ScoringRun.Status.FAILED,
        error=RUN_UNREACHABLE_ERROR.format(retries=20, error="OperationalError"),
    )
    workers.start(chunk_size=100)

    call_command(
        "score", "--resume", str(run.pk), "--account", seed_offer.account.slug,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip

    assert_each_lead_scored_once(run, lead_ids)
