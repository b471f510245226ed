"""The RabbitMQ consumer of grading tasks (`manage.py consume_grading_tasks`).

One thread talks to the broker; a pool of MAX_CONCURRENT_TASKS threads grades, stores and
delivers. The broker hands over at most that many unacknowledged messages (prefetch), and a
message is acknowledged only after its grade is stored and its delivery attempted, so a
consumer that dies mid-task has the broker give the task to another. A task that can never
be graded (not JSON, a field missing, an unknown bot with GRADING_STRICT_BOTS, another
account's bot for a consumer GRADING_ACCOUNT scopes) goes to the dead-letter queue
"<queue>.dead" with the reason in its `x-dead-letter-reason` header, and is acknowledged.
"""

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, close_old_connections, connection
from kombu import Connection, Consumer, Exchange, Message, Producer, Queue

from scoring.accounts.models import Account
from scoring.conversations.grading import grader_from_settings
from scoring.conversations.schemas import InvalidTask, grading_task_from_json
from scoring.conversations.services import (
    ForeignBot,
    TaskConflict,
    UnknownBot,
    grading_task_process,
)

logger = logging.getLogger(__name__)

DEAD_LETTER_SUFFIX = ".dead"
DEAD_LETTER_REASON_HEADER = "x-dead-letter-reason"
FAILED_TWICE_ERROR = "Processing failed on a redelivered message: {error}"
# How long the broker thread waits for a message while tasks are in flight: their
# acknowledgements go out between waits, so this bounds how long a finished task waits.
BUSY_POLL_SECONDS = 0.005
IDLE_POLL_SECONDS = 1.0
RECONNECT_MAX_WAIT = 30.0
# While the database is unreachable the consumer takes no task, probing it with backoff.
DATABASE_PROBE_FIRST_WAIT = 0.5
DATABASE_PROBE_MAX_WAIT = 30.0
REQUEUE_DELAY_SECONDS = 1.0


@dataclass(frozen=True)
class Outcome:
    """What to do with a message once its task is handled."""

    dead_letter_reason: str = ""
    requeue: bool = False
    # The database was unreachable: the task is fine, the consumer pauses until it is back.
    infrastructure: bool = False


ACK = Outcome()


def handle_task_message(
    body: bytes, *, redelivered: bool, grader=None, account: Account | None = None
) -> Outcome:
    """Grade (with `grader`, default the configured one), store and deliver one task, for
    `account` only when given (GRADING_ACCOUNT's); never raises."""
    ids = {}  # task_id and visitor_id for the log lines, once the task is read
    try:
        task = grading_task_from_json(body)
        ids = {"task_id": task.task_id, "visitor_id": task.visitor_id}
        # A message's first delivery is nearly always a task not graded yet.
        grading_task_process(task=task, grader=grader, account=account, look_first=redelivered)
        return ACK
    except (InvalidTask, UnknownBot, ForeignBot, TaskConflict) as error:
        reason = str(error)
    except (OperationalError, InterfaceError) as error:  # the database is down, not the task
        logger.warning("Database unreachable (%s); the task goes back", error, extra=ids)
        close_old_connections()
        return Outcome(requeue=True, infrastructure=True)
    except Exception as error:  # a bug: try once more
        logger.exception("Grading task failed", extra=ids)
        close_old_connections()  # a broken database connection must not stick to the thread
        if not redelivered:
            time.sleep(REQUEUE_DELAY_SECONDS)
            return Outcome(requeue=True)
        reason = FAILED_TWICE_ERROR.format(error=f"{type(error).__name__}: {error}")
    logger.error("Grading task dead-lettered: %s", reason, extra=ids)
    return Outcome(dead_letter_reason=reason)


class GradingConsumer:
    def __init__(
        self,
        *,
        broker_url: str,
        queue_name: str,
        concurrency: int,
        handler=None,
        account: Account | None = None,
    ):
        """`account`: the only one whose bots it grades (GRADING_ACCOUNT's); None: every
        account's."""
        self.broker_url = broker_url
        self.account = account
        self.queue = Queue(queue_name, Exchange(""), routing_key=queue_name, durable=True)
        self.dead_letter_queue = Queue(
            queue_name + DEAD_LETTER_SUFFIX,
            Exchange(""),
            routing_key=queue_name + DEAD_LETTER_SUFFIX,
            durable=True,
        )
        self.concurrency = max(1, concurrency)
        self.handler = handler or handle_task_message
        # One grader (one SDK client and its connection pool) for all the tasks.
        self.grader = grader_from_settings()
        self.stopping = threading.Event()
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="grading")
        self._connection_errors = (OSError, *Connection(broker_url).connection_errors)
        self._in_flight: dict[Future, Message] = {}
        self._database_down = False  # set by a task that found it unreachable

    def stop(self) -> None:
        """Stop taking tasks; those in flight finish first (safe from a signal handler)."""
        self.stopping.set()

    def run(self) -> None:
        """Consume until stopped, reconnecting when the broker goes away."""
        wait = 1.0
        try:
            while not self.stopping.is_set():
                try:
                    with Connection(self.broker_url) as broker:
                        self._consume(broker)
                    wait = 1.0
                except self._connection_errors as error:
                    self._in_flight.clear()  # unacked: the broker gives them out again
                    if self.stopping.is_set():
                        break
                    logger.warning(
                        "Broker connection lost (%s); reconnecting in %.0fs", error, wait
                    )
                    self.stopping.wait(wait)
                    wait = min(wait * 2, RECONNECT_MAX_WAIT)
        finally:
            self._pool.shutdown(wait=True)
            connection.close()

    def _consume(self, broker: Connection) -> None:
        broker.ensure_connection(max_retries=1)
        channel = broker.channel()
        self.queue(channel).declare()
        self.dead_letter_queue(channel).declare()
        channel.basic_qos(prefetch_size=0, prefetch_count=self.concurrency, a_global=False)
        producer = Producer(channel)
        consumer = Consumer(channel, queues=[self.queue], on_message=self._received)
        consumer.consume()
        logger.info(
            "Consuming grading tasks from %s (%d at a time) for %s",
            self.queue.name,
            self.concurrency,
            f"the account {self.account.slug!r} only" if self.account else "every account",
        )
        while not self.stopping.is_set():
            self._drain(broker)
            self._settle(producer, finished_only=True)
            if self._database_down and not self._in_flight:
                self._wait_for_database()
        # Stopping: take nothing new, let the tasks in flight finish and acknowledge them.
        consumer.cancel()
        while self._in_flight:
            self._settle(producer, finished_only=False)
        logger.info("Grading consumer stopped")

    def _wait_for_database(self) -> None:
        """Take no task until the database answers again (its tasks went back to the
        queue), probing it with exponential backoff; a stop ends the wait."""
        wait = DATABASE_PROBE_FIRST_WAIT
        logger.warning("Database unreachable: pausing until it answers")
        while not self.stopping.is_set():
            try:
                close_old_connections()
                connection.ensure_connection()
                break
            except (OperationalError, InterfaceError):
                self.stopping.wait(wait)
                wait = min(wait * 2, DATABASE_PROBE_MAX_WAIT)
        self._database_down = False
        logger.info("Database answers again; consuming")

    def _drain(self, broker: Connection) -> None:
        timeout = BUSY_POLL_SECONDS if self._in_flight else IDLE_POLL_SECONDS
        try:
            broker.drain_events(timeout=timeout)
        except TimeoutError:
            pass

    def _received(self, message: Message) -> None:
        redelivered = bool(message.delivery_info.get("redelivered"))
        future = self._pool.submit(self._run_handler, message.body, redelivered)
        self._in_flight[future] = message

    def _run_handler(self, body: bytes, redelivered: bool) -> Outcome:
        try:
            return self.handler(
                body, redelivered=redelivered, grader=self.grader, account=self.account
            )
        except Exception:  # the handler never raises; a bug must not lose the message
            logger.exception("Grading handler raised")
            return Outcome(requeue=True)

    def _settle(self, producer: Producer, *, finished_only: bool) -> None:
        """Acknowledge (or dead-letter, or requeue) the messages whose tasks are done. Only
        this thread touches the channel: kombu channels are not thread-safe. A message that
        cannot be settled is logged and put back, never the end of the consumer."""
        for future in list(self._in_flight):
            if finished_only and not future.done():
                continue
            outcome = future.result()
            message = self._in_flight.pop(future)
            try:
                if outcome.infrastructure:
                    self._database_down = True
                if outcome.requeue:
                    message.requeue()
                    continue
                if outcome.dead_letter_reason:
                    self._dead_letter(producer, message, outcome.dead_letter_reason)
                message.ack()
            except Exception:
                logger.exception("Could not settle a grading message; putting it back")
                try:
                    message.requeue()
                except Exception:  # the channel is gone: the broker redelivers it anyway
                    logger.exception("Could not put a grading message back")

    def _dead_letter(self, producer: Producer, message, reason: str) -> None:
        """The message, its bytes as they came whatever its content type and encoding, to
        the dead-letter queue with the reason in a header."""
        headers = {
            **(message.headers or {}),
            DEAD_LETTER_REASON_HEADER: reason,
            "x-original-queue": self.queue.name,
        }
        _republish(
            producer, message, routing_key=self.dead_letter_queue.routing_key, headers=headers
        )


def _republish(producer: Producer, message, *, routing_key: str, headers: dict) -> None:
    """The message, persistent, to routing_key: its bytes and properties as they came."""
    producer.publish(
        message_bytes(message),
        exchange="",
        routing_key=routing_key,
        headers=headers,
        content_type=message.content_type or "application/octet-stream",
        # Bytes go out as they are, whatever this says ("binary" is no codec).
        content_encoding=message.content_encoding or "binary",
        delivery_mode=2,
        serializer=None,
    )


def message_bytes(message) -> bytes:
    """The message body as the broker delivered it: the transport decodes a body whose
    content encoding is a codec (kombu would encode a str again with that name, and "binary"
    is none, the crash of an empty binary body), so a str goes back to its bytes."""
    body = message.body
    if isinstance(body, bytes):
        return body
    try:
        return body.encode(message.content_encoding or "utf-8")
    except (LookupError, UnicodeError):
        return body.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class ReplaySummary:
    replayed: int
    kept: int  # dead letters left where they were: another reason, or past the limit


def dead_letters_replay(
    *, broker_url: str, queue_name: str, reason: str = "", limit: int | None = None
) -> ReplaySummary:
    """Move dead-lettered tasks back to their queue, after the fix for why they failed:
    those whose reason contains `reason` (any, when empty), at most `limit`, in the order
    they died, their bytes and properties as they were, the dead-letter headers removed.
    The others stay in the dead-letter queue, in their order."""
    queue = Queue(queue_name, Exchange(""), routing_key=queue_name, durable=True)
    dead = Queue(
        queue_name + DEAD_LETTER_SUFFIX,
        Exchange(""),
        routing_key=queue_name + DEAD_LETTER_SUFFIX,
        durable=True,
    )
    replayed, kept = 0, []
    with Connection(broker_url) as broker:
        channel = broker.channel()
        queue(channel).declare()
        dead_queue = dead(channel)
        dead_queue.declare()
        producer = Producer(channel)
        while (message := dead_queue.get(no_ack=False)) is not None:
            headers = dict(message.headers or {})
            wanted = reason.lower() in str(headers.get(DEAD_LETTER_REASON_HEADER, "")).lower()
            if not wanted or (limit is not None and replayed >= limit):
                kept.append(message)  # unacknowledged until the end: not read twice
                continue
            for header in (DEAD_LETTER_REASON_HEADER, "x-original-queue"):
                headers.pop(header, None)
            _republish(producer, message, routing_key=queue_name, headers=headers)
            message.ack()
            replayed += 1
        for message in kept:
            message.requeue()
    return ReplaySummary(replayed=replayed, kept=len(kept))
