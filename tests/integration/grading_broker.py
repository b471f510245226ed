"""A test's own grading queue, and its dead-letter queue, on the real broker (127.0.0.1),
and the `manage.py consume_grading_tasks` processes that read it: for the integration tests
of the consumer and of what it notifies."""

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable

from django.conf import settings as django_settings
from kombu import Connection, Exchange, Producer, Queue

from scoring.conversations.consumer import DEAD_LETTER_SUFFIX, message_bytes
from tests.integration.processes import (
    database_url_for_subprocesses,
    kill_process_group,
    wait_until,
)
from tests.real_services import TEST_BROKER_URL
from tests.webhook_receiver import WebhookReceiver

READY_LINE = "Consuming grading tasks from"


class Broker:
    """This test's queue and its dead-letter queue on the real broker: publishing to it,
    counting and reading what is there."""

    def __init__(self, prefix: str = "intentscore-grading-test"):
        self.name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.connection = Connection(TEST_BROKER_URL)
        self.channel = self.connection.channel()
        self.queue = self._queue(self.name)
        self.dead = self._queue(self.name + DEAD_LETTER_SUFFIX)
        self.producer = Producer(self.channel)

    def _queue(self, name: str) -> Queue:
        queue = Queue(name, Exchange(""), routing_key=name, durable=True)(self.channel)
        queue.declare()  # as the consumer declares it: a task published first is kept
        return queue

    def publish(
        self,
        body: bytes | dict,
        *,
        content_type: str = "application/json",
        content_encoding: str = "utf-8",
    ) -> None:
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        self.producer.publish(
            body,
            exchange="",
            routing_key=self.name,
            serializer=None,
            content_type=content_type,
            content_encoding=content_encoding,
            delivery_mode=2,
        )

    def counts(self, queue: Queue) -> tuple[int, int]:
        """(messages ready, consumers) of the queue."""
        declared = queue.queue_declare(passive=True)
        return declared.message_count, declared.consumer_count

    def dead_letters(self) -> list[tuple[bytes, dict]]:
        """(body, headers) of every message in the dead-letter queue, taking them out."""
        letters = []
        while (message := self.dead.get(no_ack=True)) is not None:
            body = message.body  # the transport decodes a body of a codec's encoding to str
            if isinstance(body, str):  # "" for an empty body, whatever its encoding
                body = message_bytes(message)
            letters.append((body, message.headers))
        return letters

    def delete(self) -> None:
        for queue in (self.queue, self.dead):
            queue.delete()
        self.connection.release()


class Consumers:
    """`manage.py consume_grading_tasks` processes of `broker`'s queue, delivering to
    `receiver` signed with `secret`, with `env` over this process's environment; each in
    its own process group, all killed at the end (the fixture's). stdout (the JSON log
    lines) and stderr go to files per process."""

    def __init__(
        self,
        log_dir,
        broker: Broker,
        receiver: WebhookReceiver,
        *,
        secret: str,
        env: dict,
        wait_seconds: float,
    ):
        self.log_dir = log_dir
        self.broker = broker
        self.receiver = receiver
        self.secret = secret
        self.base_env = env
        self.wait_seconds = wait_seconds
        self.processes: list[subprocess.Popen] = []

    def env(self, **overrides) -> dict:
        return {
            **os.environ,
            **self.base_env,
            "DATABASE_URL": database_url_for_subprocesses(),
            "BACKEND_WEBHOOK_URL": self.receiver.url,
            "BACKEND_WEBHOOK_SECRET": self.secret,
            **overrides,
        }

    def start(self, *, concurrency: int = 2, **env) -> subprocess.Popen:
        index = len(self.processes)
        command = [
            sys.executable, "manage.py", "consume_grading_tasks", "--queue", self.broker.name,
            "--concurrency", str(concurrency), "--broker", TEST_BROKER_URL,
        ]  # fmt: skip
        stdout = open(self.log_dir / f"consumer-{index}.out", "wb")  # noqa: SIM115
        stderr = open(self.log_dir / f"consumer-{index}.err", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            command,
            cwd=django_settings.BASE_DIR,
            env=self.env(**env),
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        stdout.close()
        stderr.close()
        self.processes.append(process)
        self.wait_for(
            lambda: READY_LINE in self.stdout(index) or process.poll() is not None,
            "the consumer to start",
        )
        assert process.poll() is None, f"The consumer exited.\n{self.logs()}"
        return process

    def stdout(self, index: int = 0) -> str:
        return (self.log_dir / f"consumer-{index}.out").read_text()

    def log_lines(self, index: int = 0) -> list[dict]:
        """Consumer `index`'s stdout, a JSON object a line (any other line fails)."""
        return [json.loads(line) for line in self.stdout(index).splitlines() if line.strip()]

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()}"
            for path in sorted(self.log_dir.glob("consumer-*"))
        )

    def wait_for(self, condition: Callable[[], object], what: str, timeout=None):
        return wait_until(condition, what, timeout=timeout or self.wait_seconds, logs=self.logs)

    def hold_for(self, seconds: float) -> None:
        """Let `seconds` pass (a condition that must hold that long)."""
        threading.Event().wait(seconds)

    def kill_all(self) -> None:
        for process in self.processes:
            self.kill(process)

    # SIGKILL, as when the machine goes away: no in-flight task finishes.
    kill = staticmethod(kill_process_group)
