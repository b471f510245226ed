"""Throttles count in the shared cache: two gunicorn workers on CACHE_URL=redis://... let
exactly the limit through, where per-process counts would let each worker's own through."""

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import redis
from django.conf import settings

from scoring.services.accounts import api_key_create
from tests.factories import UserFactory
from tests.integration.processes import (
    database_url_for_subprocesses,
    kill_process_group,
    wait_until,
)
from tests.llm_stub import unused_port
from tests.real_services import TEST_REDIS_URL

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_redis,
    pytest.mark.django_db(transaction=True),
]

LIMIT = 4
REQUESTS = 12


@pytest.fixture
def gunicorn(tmp_path):
    """The app on two gunicorn workers, throttles counted in the test Redis database."""
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    port = unused_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "intentscore.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": database_url_for_subprocesses(),
            "CACHE_URL": TEST_REDIS_URL,
            "THROTTLE_SCORING": f"{LIMIT}/minute",
            "LLM_PROVIDER": "local",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            urllib.request.urlopen(url + "/api/schema/", timeout=1)
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return process.poll() is not None

    try:
        wait_until(
            answers, "gunicorn", timeout=30, logs=lambda: (tmp_path / "gunicorn.log").read_text()
        )
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        yield url
    finally:
        kill_process_group(process)
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()


def test_two_workers_let_exactly_the_limit_through(gunicorn):
    _, secret = api_key_create(user=UserFactory())
    statuses = []
    for _ in range(REQUESTS):
        request = urllib.request.Request(
            gunicorn + "/score/",
            method="POST",
            headers={"Authorization": f"Bearer {secret}", "Connection": "close"},
        )
        try:
            statuses.append(urllib.request.urlopen(request, timeout=10).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    assert statuses.count(429) == REQUESTS - LIMIT, statuses
    assert statuses[:LIMIT] == [404] * LIMIT  # no offer yet: served, and counted
