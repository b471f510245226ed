"""No Docker engine runs here, so the Dockerfile and compose.yaml are checked as text."""

import os
import re
import subprocess
import sys

import yaml
from django.conf import settings

DOCKERFILE = (settings.BASE_DIR / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((settings.BASE_DIR / "compose.yaml").read_text())
GUNICORN_TIMEOUT = re.compile(r"--timeout\W+(\d+)")


def test_the_image_runs_gunicorn_as_a_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert '"gunicorn", "intentscore.wsgi"' in DOCKERFILE
    assert "collectstatic" in DOCKERFILE


def test_compose_runs_web_on_a_healthy_postgres():
    web, db = COMPOSE["services"]["web"], COMPOSE["services"]["db"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert web["environment"]["DEBUG"] == "false"


def default_score_sync_timeout() -> float:
    """SCORE_SYNC_TIMEOUT as settings.py has it when the environment does not set it."""
    env = {k: v for k, v in os.environ.items() if k != "SCORE_SYNC_TIMEOUT"}
    code = "import intentscore.settings as s; print(s.SCORE_SYNC_TIMEOUT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout)


def test_gunicorn_outlasts_the_wait_for_a_scoring_run_everywhere():
    web = COMPOSE["services"]["web"]
    timeouts = [int(t) for t in GUNICORN_TIMEOUT.findall(DOCKERFILE)]
    timeouts += [int(t) for t in GUNICORN_TIMEOUT.findall(web["command"])]
    assert len(timeouts) == 2
    # POST /score/ waits SCORE_SYNC_TIMEOUT for its run: gunicorn must not kill it first.
    assert min(timeouts) > default_score_sync_timeout()
    assert min(timeouts) > float(web["environment"]["SCORE_SYNC_TIMEOUT"])


def test_compose_runs_celery_workers_on_a_healthy_rabbitmq():
    services = COMPOSE["services"]
    web, worker, rabbitmq = services["web"], services["worker"], services["rabbitmq"]
    assert worker["command"].startswith("celery -A intentscore worker")
    assert worker.get("build") == web.get("build") == "."
    for name in ("CELERY_BROKER_URL", "DATABASE_URL", "SECRET_KEY"):
        assert worker["environment"][name] == web["environment"][name], name
    assert worker["environment"]["CELERY_BROKER_URL"].startswith("amqp://")
    for service in (web, worker):
        assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert "rabbitmq-diagnostics" in rabbitmq["healthcheck"]["test"]
    assert "ping" in rabbitmq["healthcheck"]["test"]
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
    # `docker compose up --scale worker=N`: nothing that would clash between copies.
    assert "ports" not in worker and "container_name" not in worker


def test_compose_runs_one_beat_and_shares_a_redis_cache():
    services = COMPOSE["services"]
    web, beat, redis = services["web"], services["beat"], services["redis"]
    assert beat["command"].startswith("celery -A intentscore beat")
    for name in ("CELERY_BROKER_URL", "DATABASE_URL", "CACHE_URL"):
        assert beat["environment"][name] == web["environment"][name], name
    assert web["environment"]["CACHE_URL"].startswith("redis://redis:")
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "ping" in redis["healthcheck"]["test"]


def test_compose_runs_the_grading_consumer_on_request():
    services = COMPOSE["services"]
    web, grader = services["web"], services["grader"]
    assert grader["command"] == "python manage.py consume_grading_tasks"
    assert grader["profiles"] == ["grading"]  # scoring alone needs no webhook settings
    for name in ("CELERY_BROKER_URL", "DATABASE_URL", "SECRET_KEY"):
        assert grader["environment"][name] == web["environment"][name], name
    for name in ("BACKEND_WEBHOOK_URL", "BACKEND_WEBHOOK_SECRET", "GRADING_QUEUE"):
        assert name in grader["environment"]
    assert grader["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert "ports" not in grader and "container_name" not in grader
