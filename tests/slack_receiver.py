"""A loopback Slack-compatible incoming webhook for tests: the loopback webhook receiver
(tests/webhook_receiver.py) without the signature, which Slack's hooks do not have, with the
arrival time of every request. `fail_next`, `status`, `wait_for`, `deliveries`, `stop` and
`start` work as there."""

import json
import time

from tests.webhook_receiver import HOST, ReceivedWebhook, WebhookReceiver

# A hook's URL is its secret, as Slack's are: the tests check it is never stored or logged.
PATH = "/services/T0000/B0000/hook-secret-token"


class SlackReceiver(WebhookReceiver):
    def __init__(self):
        super().__init__(secret="")
        self.arrival_times: list[float] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"

    def _answer(self, raw: bytes, headers: dict) -> int:
        with self._changed:
            self.arrival_times.append(time.monotonic())
            status = self._planned.pop(0) if self._planned else (self.status or 200)
            self.requests.append(ReceivedWebhook(json.loads(raw), raw, headers, status))
            self._changed.notify_all()
        return status
