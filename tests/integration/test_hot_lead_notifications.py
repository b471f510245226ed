"""A hot lead's mail, sent once by real `consume_grading_tasks` processes on RabbitMQ and
PostgreSQL to a real SMTP server in this process: when two consumers race on the same task,
and when the consumer sending it is killed mid-mail.

As in test_grading_consumer.py, the consumers are other processes (so the test commits),
every test has its own queue, deleted at the end, and the retries are short: a send holds
its notification for 2 x (3 x 1 s + 2 x 0.1 s) + 5 s = 11.4 s.
"""

import signal
import threading
import uuid

import pytest

from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus
from scoring.notifications.models import Notification
from tests.conversation_tasks import HOT_MESSAGES, task_data
from tests.factories import AccountFactory, UserFactory
from tests.integration.grading_broker import Broker, Consumers
from tests.integration.processes import (
    kill_process_group,
    wait_until,
)
from tests.smtp_server import SmtpServer
from tests.webhook_receiver import WebhookReceiver

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_rabbitmq,
    pytest.mark.django_db(transaction=True),
]

SECRET = "integration-webhook-secret"
WAIT_SECONDS = 30


@pytest.fixture
def queue():
    """This test's durable queue (and its dead-letter queue) on the real broker."""
    broker = Broker(prefix="intentscore-notify-test")
    yield broker
    broker.delete()


@pytest.fixture
def receiver():
    with WebhookReceiver(secret=SECRET) as started:
        yield started


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def consumers(queue, receiver, smtp, tmp_path, transactional_db):
    """Consumers of this test's queue, mailing through `smtp`; all killed at the end."""
    started = Consumers(
        tmp_path,
        queue,
        receiver,
        secret=SECRET,
        env={
            "LLM_PROVIDER": "local",
            "WEBHOOK_TIMEOUT": "1",
            "WEBHOOK_BACKOFF": "0.05",
            "WEBHOOK_MAX_BACKOFF": "0.1",
            "EMAIL_URL": f"smtp://{smtp.host}:{smtp.port}",
            "NOTIFY_RETRIES": "3",
            "NOTIFY_TIMEOUT": "1",
            "NOTIFY_BACKOFF": "0.05",
            "NOTIFY_MAX_BACKOFF": "0.1",
            "NOTIFY_SLACK_WEBHOOK_URL": "",
            "PUBLIC_BASE_URL": "https://scores.example.com",
        },  # fmt: skip
        wait_seconds=WAIT_SECONDS,
    )
    yield started
    started.kill_all()


@pytest.fixture
def bot(transactional_db):
    account = AccountFactory()
    owner = UserFactory(email="owner@example.com", membership__account=account)
    UserFactory(email="teammate@example.com", membership__account=account)
    return Bot.objects.create(account=account, bot_id=f"bot-{uuid.uuid4().hex[:8]}", owner=owner)


def hot_task(bot: Bot) -> dict:
    suffix = uuid.uuid4().hex[:8]
    return task_data(
        HOT_MESSAGES,
        task_id=f"task-{suffix}",
        visitor_id=f"visitor-{suffix}",
        session_id=f"session-{suffix}",
        bot_id=bot.bot_id,
    )


def notification_of(task: dict) -> Notification | None:
    grade = ConversationGrade.objects.filter(task_id=task["task_id"]).first()
    return grade and Notification.objects.filter(event_key=f"conversation:{grade.pk}").first()


def test_two_consumers_racing_on_the_same_task_send_one_mail(consumers, queue, receiver, smtp, bot):
    started = [consumers.start(), consumers.start()]
    receiver.delay = 0.3  # both copies are in flight at once
    smtp.hold_recipients.set()  # the first mail takes a second: the other copy comes to it
    threading.Timer(1.0, smtp.hold_recipients.clear).start()
    task = hot_task(bot)

    queue.publish(task)
    queue.publish(task)  # published twice: each consumer may take one
    smtp.wait_for(1, timeout=WAIT_SECONDS)
    for consumer in started:  # finish what is in flight (the copy waiting its turn), exit
        consumer.send_signal(signal.SIGTERM)
    for consumer in started:
        assert consumer.wait(timeout=WAIT_SECONDS) == 0, consumers.logs()

    (mail,) = smtp.mails
    assert mail.recipients == ["owner@example.com"]
    grade = ConversationGrade.objects.get(task_id=task["task_id"])
    assert grade.lead_category == "hot"
    assert f"https://scores.example.com/api/conversations/{grade.pk}/" in mail.body
    notification = notification_of(task)
    assert (notification.status, notification.attempts) == ("sent", 1)
    assert len(receiver.deliveries) == 1


def test_a_consumer_killed_mid_mail_leaves_it_to_another_that_sends_it_once(
    consumers, queue, receiver, smtp, bot
):
    first = consumers.start()
    smtp.hold_recipients.set()  # the first consumer's mail stops at RCPT: nothing sent yet
    task = hot_task(bot)

    queue.publish(task)
    wait_until(smtp.recipient_arrived.is_set, "the first mail to start", timeout=WAIT_SECONDS)
    kill_process_group(first)
    smtp.hold_recipients.clear()
    notification = notification_of(task)
    assert (notification.status, notification.claimed_until is not None) == ("pending", True)
    assert ConversationGrade.objects.get(task_id=task["task_id"]).delivery_status == (
        DeliveryStatus.DELIVERED
    )
    consumers.start()  # the broker gives it the unacknowledged task again
    # It waits for the dead consumer's hold on the notification to expire (11.4 s), then sends.
    smtp.wait_for(1, timeout=WAIT_SECONDS)
    wait_until(lambda: notification_of(task).status == "sent", "the record", timeout=WAIT_SECONDS)

    (mail,) = smtp.mails
    assert mail.recipients == ["owner@example.com"]
    notification.refresh_from_db()
    # The killed consumer's try was never recorded; the mail went once.
    assert (notification.attempts, notification.claimed_until) == (1, None)
    assert len(receiver.deliveries) == 1  # the webhook had gone before: not sent again
