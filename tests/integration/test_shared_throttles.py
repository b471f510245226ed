"""Throttles count in the shared cache: two gunicorn workers on CACHE_URL=redis://... let
exactly the limit through, where per-process counts would let each worker's own through."""

import urllib.error
import urllib.request

import pytest
import redis

from scoring.accounts.services import api_key_create
from tests.factories import UserFactory
from tests.integration.processes import gunicorn_serving
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
    env = {"CACHE_URL": TEST_REDIS_URL, "THROTTLE_SCORING": f"{LIMIT}/minute"}
    try:
        with gunicorn_serving(tmp_path, workers=2, env={**env, "LLM_PROVIDER": "local"}) as url:
            yield url
    finally:
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
