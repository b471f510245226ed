import json

import pytest
from django.core.cache import cache
from django.test.client import JSON_CONTENT_TYPE_RE, ClientMixin
from rest_framework.test import APIClient

from tests.conversation_tasks import SEED_TASK
from tests.factories import AccountFactory, BotFactory, OfferFactory, UserFactory, api_key_client
from tests.real_services import real_services_check
from tests.slack_receiver import SlackReceiver
from tests.smtp_server import SMTP_BACKEND, SmtpServer
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


@pytest.fixture(autouse=True)
def notification_settings(settings):
    """Notifications retried as quickly as the webhook fixture's deliveries (3 tries, waits
    of 10 ms, at most 50 ms, 2 s per try), no Slack hook, and links on a known address,
    whatever the environment says."""
    settings.NOTIFY_RETRIES = 3
    settings.NOTIFY_BACKOFF = 0.01
    settings.NOTIFY_MAX_BACKOFF = 0.05
    settings.NOTIFY_TIMEOUT = 2.0
    settings.NOTIFY_SLACK_WEBHOOK_URL = ""
    settings.NOTIFY_FROM_EMAIL = "IntentScore <alerts@scores.example.com>"
    settings.PUBLIC_BASE_URL = "https://scores.example.com"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port of 127.0.0.1, and the email settings sending to it
    (in place of the test runner's in-memory outbox)."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = SMTP_BACKEND
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


@pytest.fixture
def slack_receiver(settings):
    """A loopback Slack incoming webhook, and NOTIFY_SLACK_WEBHOOK_URL pointing at it."""
    with SlackReceiver() as receiver:
        settings.NOTIFY_SLACK_WEBHOOK_URL = receiver.url
        yield receiver
