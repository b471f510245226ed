import logging
import sys

import pytest

from scoring.core.log_redaction import REDACTED, RedactSecretsFilter, redact

RAW_KEY = "isk_0a1b2c3d_Zm9vYmFyYmF6cXV4LXNlY3JldC12YWx1ZS0xMjM0NTY3ODkw"


def test_api_keys_keep_only_their_prefix():
    assert redact(f"auth with {RAW_KEY} failed") == f"auth with isk_0a1b2c3d_{REDACTED} failed"


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_authorization_values_are_redacted(keyword):
    assert redact(f"Authorization: {keyword} abc.def") == f"Authorization: {keyword} {REDACTED}"


def test_configured_secrets_are_redacted_wherever_they_appear(settings):
    settings.GEMINI_API_KEY = "AIzaSy-very-secret-gemini-key"
    assert redact("calling with key=AIzaSy-very-secret-gemini-key&q=1") == (
        f"calling with key={REDACTED}&q=1"
    )


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("NOTIFY_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/s3cr3t-hook"),
        ("EMAIL_HOST_PASSWORD", "smtp-password-value"),
    ],
)
def test_the_notification_channels_credentials_are_redacted(settings, name, secret):
    setattr(settings, name, secret)
    assert redact(f"posting to {secret} failed") == f"posting to {REDACTED} failed"


def test_short_or_empty_settings_are_not_treated_as_secrets(settings):
    settings.GEMINI_API_KEY = ""
    assert redact("nothing to hide") == "nothing to hide"


def test_the_filter_redacts_arguments_and_tracebacks(settings):
    settings.GEMINI_API_KEY = "AIzaSy-very-secret-gemini-key"
    try:
        raise ValueError(f"bad key {settings.GEMINI_API_KEY}")
    except ValueError:
        record = logging.LogRecord(
            "scoring", logging.ERROR, __file__, 1, "got %s", (RAW_KEY,), exc_info=sys.exc_info()
        )
    assert RedactSecretsFilter().filter(record) is True
    formatted = logging.Formatter("%(message)s").format(record)
    assert RAW_KEY not in formatted
    assert "AIzaSy-very-secret-gemini-key" not in formatted
    assert f"got isk_0a1b2c3d_{REDACTED}" in formatted


def test_the_console_handler_is_configured_with_the_filter():
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, RedactSecretsFilter) for h in handlers for f in h.filters)
