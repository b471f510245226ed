"""Tests marked requires_postgres / requires_rabbitmq / requires_redis use those services
for real.

Unreachable, such a test fails when CI=true (a CI machine has them; see .ci/run) and skips
with the reason on a laptop without them. requires_postgres also needs the suite to run on
PostgreSQL (DATABASE_URL=postgres://...): on the embedded SQLite default those tests skip,
with CI=true too, because .ci/run runs the suite a second time on PostgreSQL, where they run.
"""

import os
import socket
from functools import cache
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# The broker of the integration tests; the CI and development machines run RabbitMQ here.
TEST_BROKER_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
# The Redis of the cache tests (database 15, flushed by them); the machines run Redis here.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

NOT_POSTGRES_REASON = (
    "needs the suite on PostgreSQL (DATABASE_URL=postgres://...); "
    "the configured database is {engine}"
)
UNREACHABLE_REASON = "{service} is unreachable at {host}:{port}"


@cache
def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _postgres_problem() -> tuple[str, bool] | None:
    """(reason, whether CI may skip for it), or None when PostgreSQL is there."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return NOT_POSTGRES_REASON.format(engine=database["ENGINE"].rsplit(".", 1)[-1]), True
    host, port = database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
    if not _port_open(host, port):
        return UNREACHABLE_REASON.format(service="PostgreSQL", host=host, port=port), False
    return None


def _reachable_problem(service: str, url: str, default_port: int) -> tuple[str, bool] | None:
    """(reason, whether CI may skip for it: never), or None when the service answers."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    if not _port_open(host, port):
        return UNREACHABLE_REASON.format(service=service, host=host, port=port), False
    return None


def _rabbitmq_problem() -> tuple[str, bool] | None:
    return _reachable_problem("RabbitMQ", TEST_BROKER_URL, 5672)


def _redis_problem() -> tuple[str, bool] | None:
    return _reachable_problem("Redis", TEST_REDIS_URL, 6379)


PROBLEMS = {
    "requires_postgres": _postgres_problem,
    "requires_rabbitmq": _rabbitmq_problem,
    "requires_redis": _redis_problem,
}


def real_services_check(item: pytest.Item) -> None:
    """Skip or fail (CI=true) a test whose marked services are missing, before its fixtures
    (and so before any test database) are set up."""
    for marker, problem in PROBLEMS.items():
        if item.get_closest_marker(marker) is None or (found := problem()) is None:
            continue
        reason, ci_may_skip = found
        if os.environ.get("CI") == "true" and not ci_may_skip:
            pytest.fail(f"{reason} (CI=true: a missing service is a failure)", pytrace=False)
        pytest.skip(reason)
