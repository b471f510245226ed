"""Keeps credentials out of the logs: API keys, bearer tokens and the configured secrets."""

import logging
import re

from django.conf import settings

REDACTED = "[redacted]"
# Settings whose values must never be printed; later providers and webhooks add theirs here.
SECRET_SETTINGS = (
    "SECRET_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY", "BACKEND_WEBHOOK_SECRET",
    "EMAIL_HOST_PASSWORD", "NOTIFY_SLACK_WEBHOOK_URL",
)  # fmt: skip
_PATTERNS = (
    re.compile(r"(isk_[0-9a-f]+_)[A-Za-z0-9_\-]+"),  # our API keys: keep the prefix
    re.compile(r"((?:Bearer|Token)\s+)\S+", re.IGNORECASE),
)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    for name in SECRET_SETTINGS:
        value = getattr(settings, name, "")
        if value and len(value) >= 8:
            text = text.replace(value, REDACTED)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
