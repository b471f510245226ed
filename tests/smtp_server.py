"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd, in a thread of the test process):
where the notification mails go. Usage::

    with SmtpServer() as server:                  # a free port
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        server.fail_next(["451 4.3.0 Try again"])  # the next DATA is answered so, then 250
        server.reply = "550 5.1.1 No such user"    # every DATA answered so (None: 250)
        server.wait_for(1, timeout=10)             # until one mail was accepted
        server.mails                               # the accepted ones, in order

`hold_recipients` keeps the client waiting at RCPT (after `recipient_arrived` is set) until
it is cleared: a sender killed then has sent nothing. `stop()` closes the port (connection
refused); `start()` listens again on the same one. `data_times` are the monotonic times of
every DATA, accepted or not.
"""

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from tests.llm_stub import unused_port

HOST = "127.0.0.1"
ACCEPTED = "250 2.0.0 Message accepted for delivery"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def body(self) -> str:
        """The text, its lines ended as a reader's (on the wire they end in CRLF)."""
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.server.recipient_arrived.set()
        while self.server.hold_recipients.is_set():
            await asyncio.sleep(0.01)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return self.server._answer(envelope)


class SmtpServer:
    def __init__(self, *, port: int | None = None):
        self.host = HOST
        self.port = port or unused_port()
        self.reply: str | None = None
        self.mails: list[ReceivedMail] = []
        self.data_times: list[float] = []
        self.hold_recipients = threading.Event()
        self.recipient_arrived = threading.Event()
        self._planned: list[str] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._controller: Controller | None = None

    def fail_next(self, replies) -> None:
        with self._lock:
            self._planned = list(replies)

    def _answer(self, envelope) -> str:
        with self._changed:
            self.data_times.append(time.monotonic())
            reply = self._planned.pop(0) if self._planned else (self.reply or ACCEPTED)
            if reply.startswith("250"):
                message = email.message_from_bytes(
                    envelope.original_content or envelope.content, policy=email.policy.default
                )
                self.mails.append(
                    ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message)
                )
            self._changed.notify_all()
        return reply

    def wait_for(self, mails: int, timeout: float = 30.0) -> list[ReceivedMail]:
        """Until at least `mails` mails were accepted; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.mails) < mails:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{mails} mails expected within {timeout}s; got {len(self.mails)}"
                    )
                self._changed.wait(remaining)
            return list(self.mails)

    def start(self) -> "SmtpServer":
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.hold_recipients.clear()  # a held session must not keep the loop from ending
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
