"""POST /score/ on real gunicorn workers, RabbitMQ and Redis: one account's long runs must not
hold every web worker, and a client that hangs up frees its worker.

No Celery worker consumes this test's queue, so every run stays queued and a synchronous
wait lasts its whole SCORE_SYNC_TIMEOUT: the longest a real run could hold a worker.
"""

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import kombu
import pytest
import redis

from scoring.accounts.services import api_key_create
from scoring.leads.models import Score, ScoringRun
from tests.factories import AccountFactory, LeadFactory, OfferFactory, UserFactory
from tests.integration.processes import gunicorn_serving
from tests.real_services import TEST_BROKER_URL, TEST_REDIS_URL

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_rabbitmq,
    pytest.mark.requires_redis,
    pytest.mark.django_db(transaction=True),
]

QUEUE = f"intentscore-test-waits-{uuid.uuid4().hex[:12]}"
SYNC_TIMEOUT = 8.0
# Served "at once": well inside SYNC_TIMEOUT, generous for a loaded machine.
PROMPT_SECONDS = 3.0


@pytest.fixture
def serve(tmp_path):
    """Start the app on N gunicorn workers, runs queued on a queue nobody reads."""
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    env = {
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "CACHE_URL": TEST_REDIS_URL,
        "SCORE_SYNC_TIMEOUT": str(SYNC_TIMEOUT),
        "SCORE_SYNC_MAX_WAITS_PER_ACCOUNT": "1",
        "SCORE_SYNC_MAX_WAITS": "2",
        "THROTTLE_SCORING": "1000/minute",
        "LLM_PROVIDER": "local",
    }
    servers = []

    def start(workers: int) -> str:
        server = gunicorn_serving(tmp_path, workers=workers, env=env)
        servers.append(server)
        return server.__enter__()

    yield start
    for server in servers:
        server.__exit__(None, None, None)
    with kombu.Connection(TEST_BROKER_URL) as connection:
        connection.default_channel.queue_delete(QUEUE)
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()


class Caller:
    """An account with an offer, a lead and an API key, calling the server."""

    def __init__(self, base_url: str, name: str):
        account = AccountFactory(name=name)
        self.offer = OfferFactory(account=account)
        LeadFactory(account=account)
        _, self.secret = api_key_create(user=UserFactory(membership__account=account))
        self.base_url = base_url

    def call(self, method: str, path: str, timeout: float = 30) -> tuple[int, float, dict]:
        """(status, seconds taken, JSON body)."""
        body = b"{}" if method == "POST" else None
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.secret}", "Content-Type": "application/json"},
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        return status, time.monotonic() - started, json.loads(content or b"null")

    def call_in_background(self, method: str, path: str) -> dict:
        """Start the call in a thread; the dict gets its "answer" when it comes."""
        outcome = {}
        thread = threading.Thread(
            target=lambda: outcome.update(answer=self.call(method, path)), daemon=True
        )
        thread.start()
        outcome["thread"] = thread
        return outcome


def test_one_accounts_long_runs_leave_the_server_to_the_others(serve):
    base_url = serve(3)  # as many web workers as one account has runs to wait for
    first, second, third = (Caller(base_url, name) for name in ("First", "Second", "Third"))

    first_waits = [first.call_in_background("POST", "/score/") for _ in range(3)]
    time.sleep(1.0)
    second_wait = second.call_in_background("POST", "/score/")
    time.sleep(1.0)

    # Beyond its one wait the first account is answered 202 at once, the run queued.
    answered = [wait for wait in first_waits if "answer" in wait]
    assert [wait["answer"][0] for wait in answered] == [202, 202], first_waits
    assert all(wait["answer"][1] < PROMPT_SECONDS for wait in answered)
    # The other accounts are served meanwhile: reads, and a third account's run, whose
    # wait would be over the total of two, comes back 202 at once too.
    status, seconds, _ = second.call("GET", "/results/", timeout=SYNC_TIMEOUT)
    assert (status, seconds < PROMPT_SECONDS) == (200, True)
    status, seconds, run = third.call("POST", "/score/", timeout=SYNC_TIMEOUT)
    assert (status, seconds < PROMPT_SECONDS, run["status"]) == (202, True, "queued")
    # The REST API's scoring waits the same way, and never scores in the web process.
    path = f"/api/offers/{first.offer.id}/score/"
    status, seconds, run = first.call("POST", path, timeout=SYNC_TIMEOUT)
    assert (status, seconds < PROMPT_SECONDS, run["status"]) == (202, True, "queued")
    assert not Score.objects.exists()

    for wait in [*first_waits, second_wait]:
        wait["thread"].join(timeout=SYNC_TIMEOUT + 5)
    waited = [w["answer"] for w in [*first_waits, second_wait] if w["answer"][1] >= SYNC_TIMEOUT]
    assert [answer[0] for answer in waited] == [202, 202]  # one per account, then 202
    assert ScoringRun.objects.filter(status=ScoringRun.Status.QUEUED).count() == 6


def test_a_client_that_hangs_up_frees_its_worker(serve):
    base_url = serve(1)
    leaving, staying = Caller(base_url, "Leaving"), Caller(base_url, "Staying")
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")

    with socket.create_connection((host, int(port))) as client:
        client.sendall(
            b"POST /score/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {leaving.secret}\r\n".encode()
            + b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
        time.sleep(1.0)  # its run is queued, and it waits for it
    hung_up_at = time.monotonic()

    status, _, _ = staying.call("GET", "/results/", timeout=SYNC_TIMEOUT)

    assert status == 200
    assert time.monotonic() - hung_up_at < PROMPT_SECONDS
    assert ScoringRun.objects.get(account__slug="leaving").status == ScoringRun.Status.QUEUED
