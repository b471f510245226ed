"""A test's own grading queue, and its dead-letter queue, on the real broker (127.0.0.1):
for the integration tests that run `manage.py consume_grading_tasks` processes."""

import json
import uuid

from kombu import Connection, Exchange, Producer, Queue

from scoring.conversations.consumer import DEAD_LETTER_SUFFIX, message_bytes
from tests.real_services import TEST_BROKER_URL


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
