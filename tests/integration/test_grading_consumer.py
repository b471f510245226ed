"""Conversation grading on the real services: `manage.py consume_grading_tasks` as its own
process, reading tasks from RabbitMQ, storing grades in PostgreSQL and POSTing them, signed,
to a webhook receiver in this process; killed, stopped and restarted as in production.

The consumer is another process, so it must see what the test wrote: these tests commit
(transactional database) and the consumer uses the same test database. Every test has its
own queue (and dead-letter queue), deleted at the end. Webhook timeouts and backoffs are
small, so a delivery that holds its grade holds it for seconds, not minutes.
"""

import io
import json
import signal
import subprocess
import sys
import threading
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from scoring.conversations.consumer import (
    DEAD_LETTER_REASON_HEADER,
)
from scoring.conversations.grading import LOCAL_GRADER_MODEL
from scoring.conversations.management.commands.replay_dead_letters import REPLAYED_MESSAGE
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus
from scoring.conversations.selectors import UNKNOWN_GRADING_ACCOUNT_ERROR
from scoring.conversations.services import OUTSIDE_GRADING_ACCOUNT_ERROR
from scoring.conversations.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_webhook_signature,
)
from tests.conversation_tasks import SEED_TASK
from tests.factories import AccountFactory
from tests.integration.grading_broker import READY_LINE, Broker, Consumers
from tests.llm_stub import unused_port
from tests.real_services import TEST_BROKER_URL
from tests.webhook_receiver import WebhookReceiver

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_rabbitmq,
    pytest.mark.django_db(transaction=True),
]

SECRET = "integration-webhook-secret"
WAIT_SECONDS = 20
LOCAL_MODEL = LOCAL_GRADER_MODEL
# Three attempts of at most 1 s with 0.05 s then 0.1 s between them: a delivery holds its
# grade for 3 x 1 + 0.1 + 0.1 + 5 = 8.2 s (what a killed consumer's grade waits).
CONSUMER_ENV = {
    "LLM_PROVIDER": "local",
    "WEBHOOK_RETRIES": "3",
    "WEBHOOK_TIMEOUT": "1",
    "WEBHOOK_BACKOFF": "0.05",
    "WEBHOOK_MAX_BACKOFF": "0.1",
    "LOG_LEVEL": "INFO",
}

SEED_CONVERSATION = SEED_TASK["conversation_history"]
HOT_CONVERSATION = [
    {"role": "user", "content": "Hi, we're a 200-person logistics company."},
    {"role": "assistant", "content": "Welcome! How can I help?"},
    {"role": "user", "content": "What does your pricing look like per seat?"},
    {"role": "assistant", "content": "Plans start at $20 per seat."},
    {"role": "user", "content": "We need the enterprise features: SSO, audit logs and an SLA."},
    {"role": "assistant", "content": "All included in Enterprise."},
    {"role": "user", "content": "Could we book a demo for the team?"},
    {"role": "assistant", "content": "Sure, when suits you?"},
    {"role": "user", "content": "Our timeline is to go live next quarter."},
    {"role": "assistant", "content": "That works."},
    {"role": "user", "content": "The budget is approved, around $40k a year."},
]
COLD_CONVERSATION = [
    {"role": "user", "content": "hi"},
    {"role": "assistant", "content": "Hello! How can I help you today?"},
]


class Receiver(WebhookReceiver):
    """The loopback receiver, also telling when a request has arrived (before its `delay`),
    so that a consumer can be stopped while it surely waits for the answer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.arrived = threading.Event()

    def _answer(self, raw: bytes, headers: dict) -> int:
        self.arrived.set()
        return super()._answer(raw, headers)


@pytest.fixture
def broker():
    queues = Broker()
    yield queues
    queues.delete()


@pytest.fixture
def receiver():
    with Receiver(secret=SECRET) as started:
        yield started


@pytest.fixture
def consumers(broker, receiver, transactional_db, tmp_path):
    started = Consumers(
        tmp_path, broker, receiver, secret=SECRET, env=CONSUMER_ENV, wait_seconds=WAIT_SECONDS
    )
    yield started
    started.kill_all()


@pytest.fixture
def bot(transactional_db):
    return Bot.objects.create(account=AccountFactory(), bot_id=f"bot-{uuid.uuid4().hex[:8]}")


def task_for(bot: Bot, conversation: list[dict], **fields) -> dict:
    suffix = uuid.uuid4().hex[:8]
    return {
        "task_id": f"task-{suffix}",
        "visitor_id": f"visitor-{suffix}",
        "bot_id": bot.bot_id,
        "session_id": f"session-{suffix}",
        "conversation_history": conversation,
        "visitor_profile": {"total_sessions": 2},
        **fields,
    }


def grade_of(task: dict) -> ConversationGrade | None:
    return ConversationGrade.objects.filter(task_id=task["task_id"]).first()


def status_of(task: dict) -> str | None:
    grade = grade_of(task)
    return grade and grade.delivery_status


def assert_stored(task: dict, bot: Bot, *, attempts: int = 1) -> ConversationGrade:
    """The task's grade, stored once, delivered after `attempts` attempts."""
    (grade,) = ConversationGrade.objects.filter(task_id=task["task_id"])
    assert (grade.account_id, grade.bot_id) == (bot.account_id, bot.pk)
    assert (grade.visitor_id, grade.session_id) == (task["visitor_id"], task["session_id"])
    assert grade.conversation_history == task["conversation_history"]
    assert grade.visitor_profile == task["visitor_profile"]
    assert grade.conversation_count == len(task["conversation_history"])
    assert (grade.model_used, grade.grading_error) == (LOCAL_MODEL, "")
    assert grade.delivery_status == DeliveryStatus.DELIVERED
    assert (grade.delivery_attempts, grade.last_error) == (attempts, "")
    assert grade.delivered_at is not None and grade.delivery_claimed_until is None
    return grade


def assert_webhook_matches(request, grade: ConversationGrade) -> None:
    """A request the receiver got: signed with the secret, for this grade, field by field."""
    verify_webhook_signature(
        request.raw,
        request.headers.get(SIGNATURE_HEADER),
        SECRET,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
    )
    assert request.webhook_id == grade.task_id
    body = request.body
    assert body["task_id"] == grade.task_id
    assert (body["visitor_id"], body["session_id"]) == (grade.visitor_id, grade.session_id)
    assert body["bot_id"] == grade.bot.bot_id
    assert (body["lead_score"], body["lead_category"]) == (grade.lead_score, grade.lead_category)
    assert body["engagement_level"] == grade.engagement_level
    assert body["intent_signals"] == grade.intent_signals
    assert body["key_interests"] == grade.key_interests
    assert body["recommended_actions"] == grade.recommended_actions
    assert body["reasoning"] == grade.reasoning
    assert (body["model_used"], body["conversation_count"]) == (
        grade.model_used,
        grade.conversation_count,
    )


def test_the_seed_task_is_graded_cold_and_delivered(consumers, broker, receiver, bot):
    consumers.start()
    task = task_for(bot, SEED_CONVERSATION)

    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    grade = assert_stored(task, bot)
    assert (grade.lead_score, grade.lead_category) == (20, "cold")
    assert grade.engagement_level == "low"
    assert grade.intent_signals == ["Asked about pricing or plans"]
    assert grade.key_interests == ["pricing"]
    assert grade.reasoning.startswith("Score 20 (cold): purchase intent 15/50")
    (request,) = receiver.requests
    assert request.status == 200 and receiver.rejected == 0
    assert_webhook_matches(request, grade)
    assert request.body["conversation_count"] == 2
    assert broker.counts(broker.queue) == (0, 1)


def test_a_hot_conversation_is_graded_hot(consumers, broker, receiver, bot):
    consumers.start()
    task = task_for(bot, HOT_CONVERSATION, visitor_profile={"total_sessions": 5})

    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    grade = assert_stored(task, bot)
    assert grade.lead_score >= 70 and grade.lead_category == "hot"
    assert grade.engagement_level == "high"
    assert {
        "Asked about pricing or plans",
        "Requested a demo or trial",
        "Asked about enterprise features",
        "Discussed an implementation timeline",
        "Mentioned a budget",
    } <= set(grade.intent_signals)
    assert "Book a demo within 24 hours" in grade.recommended_actions
    (request,) = receiver.requests
    assert_webhook_matches(request, grade)
    assert request.body["lead_category"] == "hot"


def test_a_cold_one_liner_is_graded_cold(consumers, broker, receiver, bot):
    consumers.start()
    task = task_for(bot, COLD_CONVERSATION, visitor_profile={})

    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    grade = assert_stored(task, bot)
    assert grade.lead_score < 40 and grade.lead_category == "cold"
    assert (grade.lead_score, grade.intent_signals) == (5, [])
    assert grade.recommended_actions == ["Add the visitor to a nurture email sequence"]
    (request,) = receiver.requests
    assert_webhook_matches(request, grade)


def test_a_receiver_failing_twice_gets_the_grade_on_the_third_attempt(
    consumers, broker, receiver, bot
):
    consumers.start()
    receiver.fail_next([503, 503])
    task = task_for(bot, SEED_CONVERSATION)

    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    grade = assert_stored(task, bot, attempts=3)
    assert [r.status for r in receiver.requests] == [503, 503, 200]
    for request in receiver.requests:  # the same grade each time, each signed afresh
        assert_webhook_matches(request, grade)


def test_a_receiver_down_for_good_leaves_a_failed_grade_to_redeliver(
    consumers, broker, receiver, bot
):
    receiver.stop()  # nothing listens on its port
    consumers.start()
    task = task_for(bot, SEED_CONVERSATION)

    broker.publish(task)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.FAILED, "the failed delivery")

    grade = grade_of(task)
    assert (grade.lead_score, grade.lead_category) == (20, "cold")
    assert grade.delivery_attempts == 3 and grade.delivered_at is None
    assert grade.last_error.startswith("could not connect"), grade.last_error
    assert grade.delivery_claimed_until is None
    consumers.wait_for(lambda: broker.counts(broker.queue) == (0, 1), "the acknowledgement")

    receiver.start()  # up again, on the same port
    result = subprocess.run(
        [sys.executable, "manage.py", "redeliver_webhooks"],
        cwd=django_settings.BASE_DIR,
        env=consumers.env(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 delivered, 0 failed again, 0 skipped." in result.stdout
    grade = assert_stored(task, bot, attempts=4)
    (request,) = receiver.requests
    assert_webhook_matches(request, grade)


def test_a_task_published_twice_sends_one_webhook(consumers, broker, receiver, bot):
    consumer = consumers.start(concurrency=4)
    receiver.delay = 0.3  # the second copy is taken while the first is being delivered
    task = task_for(bot, SEED_CONVERSATION)

    broker.publish(task)
    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: broker.counts(broker.queue)[0] == 0, "both copies taken")
    consumer.send_signal(signal.SIGTERM)  # finishes both copies, then exits
    assert consumer.wait(timeout=WAIT_SECONDS) == 0, consumers.logs()

    grade = assert_stored(task, bot)
    (request,) = receiver.requests
    assert_webhook_matches(request, grade)
    assert broker.counts(broker.queue) == (0, 0)  # both acknowledged
    assert broker.dead_letters() == []
    delivered = [line for line in consumers.log_lines() if line["message"] == "Webhook delivered"]
    assert [line["task_id"] for line in delivered] == [task["task_id"]]


def test_bad_tasks_are_dead_lettered_and_good_ones_still_graded(consumers, broker, receiver, bot):
    consumers.start(GRADING_STRICT_BOTS="true")  # an unknown bot is a bad task
    unknown_bot = task_for(bot, SEED_CONVERSATION, bot_id="no-such-bot")

    broker.publish(b"{this is not json")
    broker.publish(unknown_bot)
    consumers.wait_for(lambda: broker.counts(broker.dead)[0] == 2, "two dead letters")
    task = task_for(bot, SEED_CONVERSATION)
    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    assert_stored(task, bot)
    assert grade_of(unknown_bot) is None
    assert ConversationGrade.objects.count() == 1
    assert [r.webhook_id for r in receiver.requests] == [task["task_id"]]
    not_json, unknown = b"{this is not json", json.dumps(unknown_bot).encode()
    letters = dict(broker.dead_letters())  # the bodies as published, headers added
    assert letters.keys() == {not_json, unknown}
    assert letters[not_json][DEAD_LETTER_REASON_HEADER].startswith("Task is not valid JSON")
    assert letters[unknown][DEAD_LETTER_REASON_HEADER].startswith("Unknown bot_id 'no-such-bot'")
    assert {headers["x-original-queue"] for headers in letters.values()} == {broker.name}
    assert broker.counts(broker.queue) == (0, 1)


def test_a_new_bot_is_registered_in_the_default_account_and_graded(
    consumers, broker, receiver, bot
):
    consumers.start()
    task = task_for(bot, SEED_CONVERSATION, bot_id=f"new-{uuid.uuid4().hex[:8]}")

    broker.publish(task)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    registered = Bot.objects.get(bot_id=task["bot_id"])
    assert (registered.account.slug, registered.name) == ("default", "")
    assert_stored(task, registered)
    assert broker.counts(broker.dead)[0] == 0
    assert f"{READY_LINE} {broker.name} (2 at a time) for every account" in consumers.stdout()


def test_a_consumer_for_one_account_dead_letters_another_accounts_bot(
    consumers, broker, receiver, bot
):
    globex = AccountFactory(name="Globex")
    consumers.start(GRADING_ACCOUNT=globex.slug)
    theirs = task_for(bot, SEED_CONVERSATION)  # a bot of the account Acme
    new = task_for(bot, SEED_CONVERSATION, bot_id=f"new-{uuid.uuid4().hex[:8]}")

    broker.publish(theirs)
    broker.publish(new)
    consumers.wait_for(lambda: status_of(new) == DeliveryStatus.DELIVERED, "the delivery")
    consumers.wait_for(lambda: broker.counts(broker.dead)[0] == 1, "the dead letter")

    registered = Bot.objects.get(bot_id=new["bot_id"])
    assert registered.account == globex
    assert_stored(new, registered)
    assert grade_of(theirs) is None
    assert [r.webhook_id for r in receiver.requests] == [new["task_id"]]
    [(body, headers)] = broker.dead_letters()
    assert body == json.dumps(theirs).encode()
    assert headers[DEAD_LETTER_REASON_HEADER] == OUTSIDE_GRADING_ACCOUNT_ERROR.format(
        bot_id=bot.bot_id, bot_account=bot.account.slug, account="globex"
    )
    assert "for the account 'globex' only" in consumers.stdout()


def test_a_grading_account_no_account_has_stops_the_consumer_at_start_up(consumers, broker):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "consume_grading_tasks",
            "--queue",
            broker.name,
            "--broker",
            TEST_BROKER_URL,
        ],  # fmt: skip
        cwd=django_settings.BASE_DIR,
        env=consumers.env(GRADING_ACCOUNT="no-such-account"),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert UNKNOWN_GRADING_ACCOUNT_ERROR.format(slug="no-such-account") in result.stderr
    assert "Traceback" not in result.stderr
    assert broker.counts(broker.queue) == (0, 0)  # it never consumed


@pytest.mark.parametrize(
    ("body", "content_type", "content_encoding"),
    [
        (b"", "application/octet-stream", "binary"),  # the message that halted every consumer
        (b"\xff\xfe\x00garbage", "application/octet-stream", "binary"),
        (b"", "text/plain", "utf-8"),
        ('{"task": "\u00e9"}'.encode("utf-16"), "application/json", "utf-16"),
    ],
)
def test_a_message_of_any_encoding_is_dead_lettered_intact_and_the_consumer_goes_on(
    consumers, broker, receiver, bot, body, content_type, content_encoding
):
    process = consumers.start()

    broker.publish(body, content_type=content_type, content_encoding=content_encoding)
    consumers.wait_for(lambda: broker.counts(broker.dead)[0] == 1, "the dead letter")
    task = task_for(bot, SEED_CONVERSATION)
    broker.publish(task)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")

    assert process.poll() is None, consumers.logs()  # still consuming
    [(dead_body, headers)] = broker.dead_letters()
    assert dead_body == body
    assert headers["x-original-queue"] == broker.name
    assert headers[DEAD_LETTER_REASON_HEADER]
    assert broker.counts(broker.queue) == (0, 1)


def test_a_consumer_killed_mid_task_leaves_it_to_another_that_delivers_once(
    consumers, broker, receiver, bot
):
    first = consumers.start()
    receiver.delay = 0.5  # the first consumer's delivery is held here when it is killed
    task = task_for(bot, SEED_CONVERSATION)

    broker.publish(task)
    consumers.wait_for(receiver.arrived.is_set, "the first delivery to arrive")
    Consumers.kill(first)
    assert status_of(task) == DeliveryStatus.PENDING
    consumers.start()  # the broker gives it the unacknowledged task again
    # It waits for the dead consumer's hold on the grade to expire (8.2 s), then delivers.
    consumers.wait_for(
        lambda: status_of(task) == DeliveryStatus.DELIVERED, "the redelivery", timeout=30
    )

    grade = assert_stored(task, bot)  # one grade; the killed consumer's attempt unrecorded
    # The receiver got the killed consumer's request (its answer went nowhere) and the new
    # one: the same signed body and X-Webhook-Id, so that it can drop the second.
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert_webhook_matches(request, grade)
    assert receiver.requests[0].body == receiver.requests[1].body
    consumers.wait_for(lambda: broker.counts(broker.queue) == (0, 1), "the acknowledgement")
    delivered = [line for line in consumers.log_lines(1) if line["message"] == "Webhook delivered"]
    assert [line["task_id"] for line in delivered] == [task["task_id"]]


def test_sigterm_finishes_the_task_in_flight_then_exits(consumers, broker, receiver, bot):
    consumer = consumers.start(concurrency=1)
    receiver.delay = 0.5  # the delivery in flight when SIGTERM comes
    task, waiting = task_for(bot, SEED_CONVERSATION), task_for(bot, COLD_CONVERSATION)

    broker.publish(task)
    broker.publish(waiting)  # not taken: one task at a time
    consumers.wait_for(receiver.arrived.is_set, "the delivery to arrive")
    consumer.send_signal(signal.SIGTERM)

    assert consumer.wait(timeout=WAIT_SECONDS) == 0, consumers.logs()
    grade = assert_stored(task, bot)
    (request,) = receiver.requests
    assert_webhook_matches(request, grade)
    # Acknowledged: only the task it never took is left in the queue, and no consumer.
    assert broker.counts(broker.queue) == (1, 0)
    assert grade_of(waiting) is None
    assert consumers.log_lines()[-1]["message"] == "Grading consumer stopped"


def test_the_consumer_logs_json_lines_on_stdout(consumers, broker, receiver, bot):
    consumers.start()
    task = task_for(bot, HOT_CONVERSATION)

    broker.publish(task)
    receiver.wait_for(1)
    consumers.wait_for(lambda: status_of(task) == DeliveryStatus.DELIVERED, "the delivery")
    consumers.wait_for(lambda: "Webhook delivered" in consumers.stdout(), "the log line")

    lines = consumers.log_lines()  # every line a JSON object
    assert all({"level", "logger", "message", "timestamp"} <= line.keys() for line in lines)
    assert lines[0]["message"].startswith(f"{READY_LINE} {broker.name}")
    (scored,) = [line for line in lines if line["message"] == "Visitor scored successfully"]
    grade = grade_of(task)
    assert scored["level"] == "INFO"
    assert (scored["task_id"], scored["visitor_id"]) == (task["task_id"], task["visitor_id"])
    assert (scored["score"], scored["category"]) == (grade.lead_score, "hot")
    assert scored["model_used"] == LOCAL_MODEL
    (delivered,) = [line for line in lines if line["message"] == "Webhook delivered"]
    assert (delivered["task_id"], delivered["visitor_id"]) == (task["task_id"], task["visitor_id"])
    assert (delivered["attempts"], delivered["delivery_status"]) == (1, "delivered")
    assert SECRET not in consumers.logs()


def test_a_database_outage_dead_letters_nothing_and_the_tasks_wait_for_it(
    consumers, broker, receiver, bot
):
    dead_database = f"postgres://postgres@127.0.0.1:{unused_port()}/test"
    down = consumers.start(DATABASE_URL=dead_database)
    tasks = [task_for(bot, SEED_CONVERSATION) for _ in range(5)]
    for task in tasks:
        broker.publish(task)
    consumers.wait_for(lambda: "pausing until it answers" in consumers.stdout(0), "the pause")
    consumers.hold_for(3)  # the outage goes on: nothing may be dead-lettered meanwhile

    assert down.poll() is None, consumers.logs()
    assert broker.counts(broker.dead)[0] == 0
    assert ConversationGrade.objects.count() == 0
    Consumers.kill(down)  # the database is back, behind another consumer
    consumers.start()
    consumers.wait_for(
        lambda: all(status_of(task) == DeliveryStatus.DELIVERED for task in tasks),
        "every task graded and delivered",
    )
    assert broker.counts(broker.dead)[0] == 0


def test_dead_letters_are_replayed_once_their_cause_is_fixed(consumers, broker, receiver, bot):
    consumers.start(GRADING_STRICT_BOTS="true")
    orphan = task_for(bot, SEED_CONVERSATION, bot_id=f"later-{uuid.uuid4().hex[:6]}")
    broker.publish(b"{not json")
    broker.publish(orphan)
    consumers.wait_for(lambda: broker.counts(broker.dead)[0] == 2, "two dead letters")
    Bot.objects.create(account=bot.account, bot_id=orphan["bot_id"])  # the fix
    out = io.StringIO()

    call_command(
        "replay_dead_letters", queue=broker.name, broker=TEST_BROKER_URL,
        reason="unknown bot", stdout=out,
    )  # fmt: skip

    assert out.getvalue().strip() == REPLAYED_MESSAGE.format(replayed=1, queue=broker.name, kept=1)
    consumers.wait_for(lambda: status_of(orphan) == DeliveryStatus.DELIVERED, "the replay")
    [(body, headers)] = broker.dead_letters()  # the other cause is not fixed: still there
    assert body == b"{not json"
