import json

import pytest
from django.core.cache import cache
from django.test.client import JSON_CONTENT_TYPE_RE, ClientMixin
from rest_framework.test import APIClient

from tests.conversation_tasks import SEED_TASK
from tests.factories import AccountFactory, BotFactory, OfferFactory, UserFactory, api_key_client
from tests.real_services import real_services_check
from tests.webhook_receiver import WebhookReceiver

# The LLM stub and the providers pointed at it, for the tests of every app that reach one.
pytest_plugins = ["tests.llm_fixtures"]

WEBHOOK_TEST_SECRET = "webhook-test-secret"

_parse_json = ClientMixin._parse_json


def _parse_streamed_json(self, response, **extra):
    # A streamed JSON answer (GET /results/) reads like any other, as an HTTP client reads
    # it: its blocks joined. They stay in streaming_content for a test that looks at them.
    if (
        response.streaming
        and not hasattr(response, "_json")
        and JSON_CONTENT_TYPE_RE.match(response.get("Content-Type", ""))
    ):
        body = b"".join(response.streaming_content)
        response.streaming_content = [body]
        response._json = json.loads(body, **extra)
    return _parse_json(self, response, **extra)


ClientMixin._parse_json = _parse_streamed_json


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # requires_postgres / requires_rabbitmq: skip, or with CI=true fail, without the service.
    real_services_check(item)


@pytest.fixture(autouse=True)
def local_provider(settings):
    """Score with the offline, deterministic provider whatever the environment says."""
    settings.LLM_PROVIDER = "local"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Passwords are still hashed and checked; only PBKDF2's deliberate slowness goes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # Throttle counters live in the cache; one test's requests must not count in the next.
    cache.clear()


@pytest.fixture
def account(db):
    """The account the factories use by default, and the `user`'s."""
    return AccountFactory()


@pytest.fixture
def user(account):
    return UserFactory(membership__account=account)


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def api_client(user):
    """A client authenticated with a real API key of `user`, in `account`."""
    return api_key_client(user)


@pytest.fixture
def seed_offer(account):
    return OfferFactory(account=account)


@pytest.fixture
def bot(account):
    """The seed's example bot (bot_123), in `account`."""
    return BotFactory(account=account, bot_id=SEED_TASK["bot_id"])


@pytest.fixture
def webhook_receiver(settings):
    """A loopback backend, and the webhook settings pointing at it: 3 attempts, waits of
    10 ms (at most 50 ms), 2 s per attempt."""
    with WebhookReceiver(secret=WEBHOOK_TEST_SECRET) as receiver:
        settings.BACKEND_WEBHOOK_URL = receiver.url
        settings.BACKEND_WEBHOOK_SECRET = WEBHOOK_TEST_SECRET
        settings.WEBHOOK_RETRIES = 3
        settings.WEBHOOK_BACKOFF = 0.01
        settings.WEBHOOK_MAX_BACKOFF = 0.05
        settings.WEBHOOK_TIMEOUT = 2.0
        yield receiver
