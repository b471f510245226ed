"""The consumer's handling of one message, without a broker (tests/integration has the
real RabbitMQ and consumer process)."""

import json

from scoring.accounts.services import DEFAULT_ACCOUNT_SLUG
from scoring.conversations import consumer as grading_consumer
from scoring.conversations.consumer import (
    ACK,
    FAILED_TWICE_ERROR,
    Outcome,
    handle_task_message,
)
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus
from scoring.conversations.schemas import INVALID_JSON_ERROR
from scoring.conversations.services import OUTSIDE_GRADING_ACCOUNT_ERROR, UNKNOWN_BOT_ERROR
from tests.conversation_tasks import SEED_TASK
from tests.factories import AccountFactory


def body(**fields) -> bytes:
    return json.dumps({**SEED_TASK, **fields}).encode()


def test_a_good_task_is_acknowledged_after_it_is_stored_and_delivered(bot, webhook_receiver):
    assert handle_task_message(body(), redelivered=False) == ACK
    grade = ConversationGrade.objects.get()
    assert grade.delivery_status == DeliveryStatus.DELIVERED
    assert len(webhook_receiver.deliveries) == 1


def test_a_task_published_twice_is_graded_and_delivered_once(bot, webhook_receiver):
    # Neither is a redelivery: the second finds the grade when it cannot store its own.
    assert handle_task_message(body(), redelivered=False) == ACK
    assert handle_task_message(body(), redelivered=False) == ACK
    assert ConversationGrade.objects.count() == 1
    assert len(webhook_receiver.deliveries) == 1


def test_a_failed_delivery_is_still_acknowledged_the_grade_keeps_it(
    bot, webhook_receiver, settings
):
    settings.WEBHOOK_RETRIES = 2
    webhook_receiver.status = 503
    assert handle_task_message(body(), redelivered=False) == ACK
    assert ConversationGrade.objects.get().delivery_status == DeliveryStatus.FAILED


def test_a_body_that_is_not_json_is_dead_lettered(db):
    outcome = handle_task_message(b"{oops", redelivered=False)
    assert outcome.dead_letter_reason.startswith(INVALID_JSON_ERROR.split("{")[0])
    assert not outcome.requeue


def test_an_invalid_task_is_dead_lettered_naming_the_field(db):
    outcome = handle_task_message(body(session_id=None), redelivered=False)
    assert outcome.dead_letter_reason.startswith("session_id: ")


def test_a_task_for_a_new_bot_registers_it_in_the_default_account(db, webhook_receiver):
    assert handle_task_message(body(bot_id="bot_x"), redelivered=False) == ACK
    assert Bot.objects.get(bot_id="bot_x").account.slug == DEFAULT_ACCOUNT_SLUG
    assert webhook_receiver.deliveries[0]["bot_id"] == "bot_x"


def test_a_consumer_for_one_account_registers_new_bots_there(db, webhook_receiver):
    globex = AccountFactory(name="Globex")
    assert handle_task_message(body(bot_id="bot_x"), redelivered=False, account=globex) == ACK
    assert ConversationGrade.objects.get().bot.account == globex


def test_a_consumer_for_one_account_dead_letters_another_accounts_bot(bot, webhook_receiver):
    globex = AccountFactory(name="Globex")
    outcome = handle_task_message(body(), redelivered=False, account=globex)
    assert outcome == Outcome(
        dead_letter_reason=OUTSIDE_GRADING_ACCOUNT_ERROR.format(
            bot_id=bot.bot_id, bot_account=bot.account.slug, account="globex"
        )
    )
    assert not ConversationGrade.objects.exists()
    assert webhook_receiver.requests == []


def test_with_strict_bots_a_task_for_an_unknown_bot_is_dead_lettered(
    db, webhook_receiver, settings
):
    settings.GRADING_STRICT_BOTS = True
    outcome = handle_task_message(body(bot_id="bot_x"), redelivered=False)
    assert outcome == Outcome(dead_letter_reason=UNKNOWN_BOT_ERROR.format(bot_id="bot_x"))
    assert not Bot.objects.exists()


def test_an_unexpected_failure_is_requeued_once_then_dead_lettered(
    bot, webhook_receiver, monkeypatch
):
    def broken(*, task, grader, account, look_first):
        raise RuntimeError("database is down")

    monkeypatch.setattr(grading_consumer, "grading_task_process", broken)
    monkeypatch.setattr(grading_consumer, "REQUEUE_DELAY_SECONDS", 0)
    assert handle_task_message(body(), redelivered=False) == Outcome(requeue=True)
    assert handle_task_message(body(), redelivered=True) == Outcome(
        dead_letter_reason=FAILED_TWICE_ERROR.format(error="RuntimeError: database is down")
    )
