"""Sending one notification over one channel, with retries: email through Django's email
framework (EMAIL_URL), and a Slack-compatible incoming webhook (NOTIFY_SLACK_WEBHOOK_URL).

Both retry what may work a moment later, NOTIFY_RETRIES tries in all with waits of
NOTIFY_BACKOFF, twice that... (at most NOTIFY_MAX_BACKOFF): for email, connection failures,
timeouts and 4xx replies (a greylisting server's 451); for Slack, 408, 429, 5xx, timeouts and
connection errors (scoring/core/http_retry.py). A 5xx SMTP reply or another 4xx HTTP answer
will not change: it is not retried.
"""

import smtplib
import sys
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from scoring.core.http_retry import (
    TIMEOUT,
    RetryableFailure,
    error_detail,
    exponential_backoff,
    is_retryable_status,
    network_failure,
    parse_retry_after,
    retrying,
)

USER_AGENT = "IntentScore-Notifications/1.0"
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

SMTP_REPLY_ERROR = "SMTP {code}: {detail}"
SMTP_REFUSED_ERROR = "SMTP refused every recipient: {detail}"
SMTP_TIMEOUT_ERROR = "the mail server did not answer within {timeout:g}s"
SMTP_CONNECTION_ERROR = "could not reach the mail server: {detail}"
HTTP_ERROR = "HTTP {status}: {detail}"
HTTP_TIMEOUT_ERROR = "no answer within {timeout:g}s"
HTTP_CONNECTION_ERROR = "could not connect: {detail}"


class ChannelFailed(RetryableFailure):
    """One try over a channel that failed."""


@dataclass(frozen=True)
class ChannelOutcome:
    sent: bool
    attempts: int
    error: str = ""


def _retrying(call) -> ChannelOutcome:
    retries = retrying(
        attempts=settings.NOTIFY_RETRIES,
        backoff=exponential_backoff(
            initial=settings.NOTIFY_BACKOFF, maximum=settings.NOTIFY_MAX_BACKOFF
        ),
        max_wait=settings.NOTIFY_MAX_BACKOFF,
    )
    try:
        retries(call)
    except ChannelFailed as error:
        return ChannelOutcome(
            sent=False, attempts=retries.statistics["attempt_number"], error=error.message
        )
    return ChannelOutcome(sent=True, attempts=retries.statistics["attempt_number"])


def channel_hold_seconds() -> float:
    """The longest one channel's sending can take: every try timing out, every wait at
    its cap."""
    attempts = max(1, settings.NOTIFY_RETRIES)
    return attempts * settings.NOTIFY_TIMEOUT + (attempts - 1) * settings.NOTIFY_MAX_BACKOFF


def notification_hold_seconds() -> float:
    """How long a process sending a notification holds it: both channels at their longest,
    and the database writes around them."""
    return 2 * channel_hold_seconds() + 5


def _smtp_reply_text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _send_email_once(message: EmailMessage) -> None:
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        replies = error.recipients.values()
        detail = "; ".join(f"{code} {_smtp_reply_text(text)}" for code, text in replies)
        raise ChannelFailed(
            SMTP_REFUSED_ERROR.format(detail=error_detail(detail)),
            retryable=all(400 <= code < 500 for code, _ in replies),
        ) from None
    except smtplib.SMTPResponseException as error:
        raise ChannelFailed(
            SMTP_REPLY_ERROR.format(
                code=error.smtp_code, detail=error_detail(_smtp_reply_text(error.smtp_error))
            ),
            retryable=not 500 <= error.smtp_code < 600,
        ) from None
    except OSError as error:  # smtplib.SMTPException is one, and so are refused connections
        if network_failure(error) == TIMEOUT:
            text = SMTP_TIMEOUT_ERROR.format(timeout=settings.NOTIFY_TIMEOUT)
        else:
            detail = error_detail(str(error) or type(error).__name__)
            text = SMTP_CONNECTION_ERROR.format(detail=detail)
        raise ChannelFailed(text, retryable=True) from None


def email_send(
    *, subject: str, body: str, recipients: list[str], message_id: str
) -> ChannelOutcome:
    """The mail to `recipients` from NOTIFY_FROM_EMAIL, tried until the server takes it."""
    extra = {}
    if settings.EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
        # stdout of the consumer and the workers is their JSON log lines.
        extra["stream"] = sys.stderr
    connection = get_connection(timeout=settings.NOTIFY_TIMEOUT, **extra)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.NOTIFY_FROM_EMAIL,
        to=recipients,
        # The same on a resend: a mail client can drop the copy of a mail whose first send
        # was accepted but never recorded (its sender died in between).
        headers={"Message-ID": message_id},
        connection=connection,
    )
    return _retrying(lambda: _send_email_once(message))


def _post_slack_once(url: str, payload: dict) -> None:
    try:
        response = httpx.post(
            url,
            json=payload,
            headers={"User-Agent": USER_AGENT},
            timeout=settings.NOTIFY_TIMEOUT,
            follow_redirects=False,
        )
    except httpx.TransportError as error:  # timeouts too
        if network_failure(error) == TIMEOUT:
            text = HTTP_TIMEOUT_ERROR.format(timeout=settings.NOTIFY_TIMEOUT)
        else:
            # The hook's URL is its credential: never in an error that is stored or logged.
            detail = error_detail(str(error) or type(error).__name__, secrets=(url,))
            text = HTTP_CONNECTION_ERROR.format(detail=detail)
        raise ChannelFailed(text, retryable=True) from None
    if not response.is_success:
        raise ChannelFailed(
            HTTP_ERROR.format(
                status=response.status_code, detail=error_detail(response.text, secrets=(url,))
            ),
            retryable=is_retryable_status(response.status_code),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )


def slack_post(*, url: str, payload: dict) -> ChannelOutcome:
    """POST the message to the incoming webhook until it answers 2xx."""
    return _retrying(lambda: _post_slack_once(url, payload))
