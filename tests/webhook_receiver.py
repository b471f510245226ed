"""A loopback webhook receiver for tests and benchmarks: the backend's side of a delivery.

It checks every request's signature with `verify_webhook_signature` (as the README tells a
backend to) and records it. Usage::

    with WebhookReceiver(secret="s3cret") as receiver:     # free port on 127.0.0.1
        settings.BACKEND_WEBHOOK_URL = receiver.url
        receiver.fail_next([503, 503])   # the next two requests answer 503, then 200 again
        receiver.wait_for(1, timeout=10)  # until one request verified and answered 2xx
        receiver.deliveries               # the accepted ones: parsed bodies, in order

Behaviour (thread-safe, changeable at any time): `fail_next([...])` answers the next
requests with those statuses (429 and 503 with `Retry-After: 0`); `status` answers every
request with it (None: 200); `delay` seconds before answering. A request whose signature
does not verify is answered 401 and counted in `rejected`. `stop()` closes the port, so
further deliveries find nothing listening (connection refused); `start()` listens again on
the same port.
"""

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scoring.conversations.webhooks import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    InvalidWebhookSignature,
    verify_webhook_signature,
)

HOST = "127.0.0.1"
PATH = "/api/v1/webhooks/visitor-grading"


@dataclass(frozen=True)
class ReceivedWebhook:
    body: dict
    raw: bytes
    headers: dict
    status: int

    @property
    def webhook_id(self) -> str:
        return self.headers.get(ID_HEADER, "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # stop() cut the connection: the client sees it; no traceback here
        super().handle_error(request, client_address)


class WebhookReceiver:
    def __init__(self, *, secret: str, port: int = 0):
        self.secret = secret
        self.port = port
        self.status: int | None = None
        self.delay = 0.0
        self.requests: list[ReceivedWebhook] = []
        self.rejected = 0
        self._planned: list[int] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server = None
        self._open_sockets: set = set()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"

    @property
    def deliveries(self) -> list[dict]:
        """Bodies of the requests answered 2xx, in order."""
        with self._lock:
            return [r.body for r in self.requests if 200 <= r.status < 300]

    def fail_next(self, statuses) -> None:
        with self._lock:
            self._planned = [int(s) for s in statuses]

    def wait_for(self, deliveries: int, timeout: float = 30.0) -> list[dict]:
        """Until at least `deliveries` requests were accepted; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(200 <= r.status < 300 for r in self.requests) < deliveries:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{deliveries} deliveries expected within {timeout}s; "
                        f"got {len(self.requests)} requests: {[r.status for r in self.requests]}"
                    )
                self._changed.wait(remaining)
        return self.deliveries

    def _answer(self, raw: bytes, headers: dict) -> int:
        try:
            verify_webhook_signature(
                raw,
                headers.get(SIGNATURE_HEADER),
                self.secret,
                timestamp=headers.get(TIMESTAMP_HEADER),
            )
        except InvalidWebhookSignature:
            with self._changed:
                self.rejected += 1
                self._changed.notify_all()
            return 401
        if self.delay:
            time.sleep(self.delay)
        with self._changed:
            status = self._planned.pop(0) if self._planned else (self.status or 200)
            self.requests.append(ReceivedWebhook(json.loads(raw), raw, headers, status))
            self._changed.notify_all()
        return status

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body go out in two writes: without this the second waits
                # for the client's delayed ACK, ~40 ms per delivery.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                receiver._open_sockets.add(self.connection)

            def finish(self):
                receiver._open_sockets.discard(self.connection)
                super().finish()

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._answer(raw, dict(self.headers.items()))
                body = b'{"status": "success"}' if status < 300 else b'{"detail": "no"}'
                self.send_response(status)
                if status in (429, 503):
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = _Server((HOST, self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: nothing listens, and the kept-alive connections are closed too."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for sock in list(self._open_sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> "WebhookReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
