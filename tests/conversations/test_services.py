import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from scoring.accounts.services import DEFAULT_ACCOUNT_SLUG
from scoring.conversations import delivery, notify, services
from scoring.conversations.delivery import (
    WEBHOOK_NOT_CONFIGURED_ERROR,
    grade_deliver,
    grades_redeliver,
    grading_result_for,
)
from scoring.conversations.grading import ConversationAssessment, LocalGrader
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus
from scoring.conversations.schemas import grading_task_from_data
from scoring.conversations.selectors import bot_by_id, grades_awaiting_delivery
from scoring.conversations.services import (
    FALLBACK_MODEL,
    FOREIGN_BOT_ERROR,
    OUTSIDE_GRADING_ACCOUNT_ERROR,
    TASK_CONFLICT_ERROR,
    UNKNOWN_BOT_ERROR,
    ForeignBot,
    TaskConflict,
    UnknownBot,
    bot_register,
    conversation_grade,
    conversation_grade_for_api,
    grading_task_process,
)
from scoring.core.exceptions import ApplicationError
from scoring.llm.base import ProviderError
from tests.conversation_tasks import COLD_MESSAGES, HOT_MESSAGES, SEED_TASK, task_data
from tests.factories import AccountFactory


def seed_task(**fields):
    return grading_task_from_data({**SEED_TASK, **fields})


def test_the_seeds_task_is_graded_stored_and_delivered(bot, webhook_receiver):
    grade = grading_task_process(task=seed_task())

    assert (grade.lead_score, grade.lead_category, grade.engagement_level) == (20, "cold", "low")
    assert grade.account == bot.account
    assert grade.bot == bot
    assert grade.conversation_history == SEED_TASK["conversation_history"]
    assert grade.visitor_profile == {"total_sessions": 2}
    assert grade.conversation_count == 2
    assert grade.model_used == LocalGrader.model
    assert (grade.delivery_status, grade.delivery_attempts, grade.last_error) == (
        DeliveryStatus.DELIVERED, 1, ""
    )  # fmt: skip
    assert grade.delivered_at is not None
    assert grade.delivery_claimed_until is None

    (body,) = webhook_receiver.deliveries
    assert body == grading_result_for(grade).model_dump(mode="json")
    assert set(body) == {
        "task_id", "visitor_id", "bot_id", "session_id", "lead_score", "lead_category",
        "intent_signals", "engagement_level", "key_interests", "recommended_actions",
        "reasoning", "graded_at", "model_used", "conversation_count", "qualification",
    }  # fmt: skip
    assert set(body["qualification"]) == {"budget", "authority", "need", "timeline"}
    assert body["bot_id"] == "bot_123"
    assert webhook_receiver.requests[0].webhook_id == "test_123"


def test_a_hot_conversation_is_delivered_as_hot(bot, webhook_receiver):
    grade = grading_task_process(task=grading_task_from_data(task_data(HOT_MESSAGES)))
    assert grade.lead_score >= 70
    assert webhook_receiver.deliveries[0]["lead_category"] == "hot"
    assert webhook_receiver.deliveries[0]["engagement_level"] == "high"


# look_first=False: the consumer's first delivery of a message, which stores before looking.
@pytest.mark.parametrize("look_first", [True, False])
def test_a_duplicate_task_sends_no_second_webhook(bot, webhook_receiver, look_first):
    first = grading_task_process(task=seed_task(), look_first=look_first)
    again = grading_task_process(task=seed_task(), look_first=look_first)
    assert again.pk == first.pk
    assert again.graded_at == first.graded_at
    assert len(webhook_receiver.requests) == 1
    assert ConversationGrade.objects.count() == 1


# What a task costs the consumer in statements is what bounds its throughput
# (bench/grading.py): a first delivery of a warm or cold task is the bot's lookup, the grade's
# INSERT (in no transaction of its own) and the delivery's UPDATE; a hot one adds its
# transaction, the recipients' lookup and the notification's INSERT.
@pytest.mark.django_db(transaction=True)  # as in the consumer: no test transaction around it
@pytest.mark.parametrize(
    ("messages", "category", "statements"),
    [(COLD_MESSAGES, "cold", 3), (HOT_MESSAGES, "hot", 7)],
)
def test_a_first_delivery_costs_a_few_statements(
    bot, webhook_receiver, django_assert_max_num_queries, messages, category, statements
):
    task = grading_task_from_data(task_data(messages))
    with django_assert_max_num_queries(statements):
        grade = grading_task_process(task=task, look_first=False)
    assert (grade.lead_category, grade.delivery_status) == (category, DeliveryStatus.DELIVERED)


def test_a_hot_grade_whose_notification_cannot_be_written_is_not_stored(
    bot, webhook_receiver, monkeypatch
):
    def broken(**fields):
        raise IntegrityError("the notification")

    monkeypatch.setattr(notify, "notification_create", broken)
    with pytest.raises(IntegrityError):
        grading_task_process(task=grading_task_from_data(task_data(HOT_MESSAGES)))
    assert not ConversationGrade.objects.exists()
    assert webhook_receiver.requests == []


def test_a_new_bot_is_registered_in_the_default_account_and_graded(db, webhook_receiver):
    grade = grading_task_process(task=seed_task(bot_id="bot_new"))

    bot = Bot.objects.get(bot_id="bot_new")
    assert (bot.account.slug, bot.name) == (DEFAULT_ACCOUNT_SLUG, "")
    assert (grade.account, grade.bot) == (bot.account, bot)
    assert grade.delivery_status == DeliveryStatus.DELIVERED
    assert webhook_receiver.deliveries[0]["bot_id"] == "bot_new"
    assert grading_task_process(task=seed_task(bot_id="bot_new")).pk == grade.pk
    assert Bot.objects.count() == 1


def test_a_new_bot_is_registered_in_the_grading_account(db, webhook_receiver):
    globex = AccountFactory(name="Globex")
    grade = grading_task_process(task=seed_task(bot_id="bot_new"), account=globex)
    assert Bot.objects.get(bot_id="bot_new").account == globex
    assert grade.account == globex


def test_a_consumer_for_one_account_grades_its_bots(bot, webhook_receiver):
    grade = grading_task_process(task=seed_task(), account=bot.account)
    assert (grade.account, grade.bot) == (bot.account, bot)


def test_a_consumer_for_one_account_refuses_another_accounts_bot(bot, webhook_receiver):
    globex = AccountFactory(name="Globex")
    with pytest.raises(ForeignBot) as caught:
        grading_task_process(task=seed_task(), account=globex)
    assert caught.value.message == OUTSIDE_GRADING_ACCOUNT_ERROR.format(
        bot_id="bot_123", bot_account=bot.account.slug, account="globex"
    )
    assert Bot.objects.get().account == bot.account
    assert not ConversationGrade.objects.exists()
    assert webhook_receiver.requests == []


@pytest.mark.parametrize("scoped", [False, True])
def test_with_strict_bots_an_unknown_bot_is_refused_and_nothing_stored(
    db, webhook_receiver, settings, scoped
):
    settings.GRADING_STRICT_BOTS = True
    account = AccountFactory(name="Globex") if scoped else None
    with pytest.raises(UnknownBot) as caught:
        grading_task_process(task=seed_task(bot_id="bot_nobody_knows"), account=account)
    assert caught.value.message == UNKNOWN_BOT_ERROR.format(bot_id="bot_nobody_knows")
    assert caught.value.status_code == 400
    assert not Bot.objects.exists()
    assert not ConversationGrade.objects.exists()
    assert webhook_receiver.requests == []


def test_with_strict_bots_a_known_bot_is_graded(bot, webhook_receiver, settings):
    settings.GRADING_STRICT_BOTS = True
    assert grading_task_process(task=seed_task()).bot == bot


@pytest.mark.parametrize("look_first", [True, False])
def test_a_task_id_reused_by_another_bot_of_the_account_is_a_conflict(
    bot, webhook_receiver, look_first
):
    Bot.objects.create(account=bot.account, bot_id="bot_other")
    grading_task_process(task=seed_task())
    with pytest.raises(TaskConflict) as caught:
        grading_task_process(task=seed_task(bot_id="bot_other"), look_first=look_first)
    assert caught.value.message == TASK_CONFLICT_ERROR.format(
        task_id="test_123", other_bot="bot_123"
    )
    assert caught.value.status_code == 409


def test_task_ids_are_unique_per_account_not_across_accounts(bot, webhook_receiver):
    Bot.objects.create(account=AccountFactory(name="Other", slug="other"), bot_id="bot_456")
    grading_task_process(task=seed_task())
    grading_task_process(task=seed_task(bot_id="bot_456"))
    assert ConversationGrade.objects.filter(task_id="test_123").count() == 2
    assert len(webhook_receiver.deliveries) == 2


def test_a_receiver_down_leaves_the_grade_failed_and_redelivery_delivers_it(bot, webhook_receiver):
    webhook_receiver.stop()
    grade = grading_task_process(task=seed_task())
    assert grade.delivery_status == DeliveryStatus.FAILED
    assert grade.delivery_attempts == 3
    assert grade.last_error.startswith("could not connect")
    assert list(grades_awaiting_delivery()) == [grade]

    webhook_receiver.start()
    assert grades_redeliver(grades=grades_awaiting_delivery()) == {
        "delivered": 1, "failed": 0, "skipped": 0
    }  # fmt: skip
    grade.refresh_from_db()
    assert (grade.delivery_status, grade.delivery_attempts, grade.last_error) == (
        DeliveryStatus.DELIVERED, 4, ""
    )  # fmt: skip
    assert len(webhook_receiver.deliveries) == 1
    assert not grades_awaiting_delivery().exists()


def test_a_receiver_failing_twice_gets_it_on_the_third_attempt(bot, webhook_receiver):
    webhook_receiver.fail_next([503, 500])
    grade = grading_task_process(task=seed_task())
    assert (grade.delivery_status, grade.delivery_attempts) == (DeliveryStatus.DELIVERED, 3)


def test_redelivery_counts_what_fails_again_and_skips_what_was_delivered(bot, webhook_receiver):
    webhook_receiver.status = 500
    failed = grading_task_process(task=seed_task())
    webhook_receiver.status = None
    delivered = grading_task_process(task=seed_task(task_id="t2"))
    webhook_receiver.status = 500
    all_grades = ConversationGrade.objects.filter(pk__in=[failed.pk, delivered.pk])
    assert grades_redeliver(grades=all_grades) == {"delivered": 0, "failed": 1, "skipped": 1}


def test_a_grade_held_by_another_process_is_not_sent_twice(bot, webhook_receiver, monkeypatch):
    grade = grading_task_process(task=seed_task())
    ConversationGrade.objects.filter(pk=grade.pk).update(
        delivery_status=DeliveryStatus.PENDING,
        delivery_claimed_until=timezone.now() + timedelta(minutes=5),
    )
    grade.refresh_from_db()

    # Not waiting: nothing is sent.
    assert grade_deliver(grade=grade, wait=False).delivery_status == DeliveryStatus.PENDING

    # Waiting: the holder delivers it while this process waits; this one sends nothing.
    waits = []

    def holder_delivers_meanwhile(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            ConversationGrade.objects.filter(pk=grade.pk).update(
                delivery_status=DeliveryStatus.DELIVERED, delivery_claimed_until=None
            )

    monkeypatch.setattr(delivery.time, "sleep", holder_delivers_meanwhile)
    assert grade_deliver(grade=grade).delivery_status == DeliveryStatus.DELIVERED
    assert waits == [delivery.CLAIM_POLL_SECONDS] * 3
    assert len(webhook_receiver.requests) == 1


def test_a_hold_whose_time_has_passed_is_taken_over(bot, webhook_receiver):
    grade = grading_task_process(task=seed_task())
    ConversationGrade.objects.filter(pk=grade.pk).update(
        delivery_status=DeliveryStatus.PENDING,
        delivery_claimed_until=timezone.now() - timedelta(seconds=1),
    )
    grade.refresh_from_db()
    assert grade_deliver(grade=grade).delivery_status == DeliveryStatus.DELIVERED
    assert len(webhook_receiver.requests) == 2


def test_only_abandoned_pending_grades_await_redelivery(bot, webhook_receiver, settings):
    webhook_receiver.stop()
    grade = grading_task_process(task=seed_task())
    stale = timezone.now() - timedelta(hours=1)
    ConversationGrade.objects.filter(pk=grade.pk).update(
        delivery_status=DeliveryStatus.PENDING, delivery_claimed_until=None, created_at=stale
    )
    assert list(grades_awaiting_delivery()) == [grade]
    ConversationGrade.objects.filter(pk=grade.pk).update(created_at=timezone.now())
    assert not grades_awaiting_delivery().exists()  # its consumer may still be at it
    ConversationGrade.objects.filter(pk=grade.pk).update(
        created_at=stale, delivery_claimed_until=timezone.now() + timedelta(minutes=1)
    )
    assert not grades_awaiting_delivery().exists()  # held


def test_delivery_needs_the_webhook_settings(bot, settings):
    settings.BACKEND_WEBHOOK_URL = ""
    with pytest.raises(ApplicationError) as caught:
        grading_task_process(task=seed_task())
    assert caught.value.message == WEBHOOK_NOT_CONFIGURED_ERROR


class FailingProvider:
    name = "openai"
    model = "gpt-4o-mini"
    remote = True

    def grade(self, *, task):
        raise ProviderError("openai answered HTTP 500: boom", retryable=True)


class OverconfidentProvider(FailingProvider):
    def grade(self, *, task):
        return ConversationAssessment(
            score=150,
            intent_signals=("Asked about pricing",),
            key_interests=("pricing",),
            recommended_actions=("Call them",),
            reasoning="Very keen.",
            model_used="openai/gpt-4o-mini",
        )


def test_a_failing_provider_falls_back_to_the_offline_criteria():
    result, error = conversation_grade(task=seed_task(), grader=FailingProvider())
    assert error == "openai answered HTTP 500: boom"
    assert result.model_used == FALLBACK_MODEL.format(model=LocalGrader.model, provider="openai")
    assert (result.lead_score, result.lead_category) == (20, "cold")


def test_a_providers_score_is_clamped_and_the_category_follows_it():
    result, error = conversation_grade(task=seed_task(), grader=OverconfidentProvider())
    assert (result.lead_score, result.lead_category, error) == (100, "hot", "")
    # Engagement is counted, not taken from the provider: one visitor message.
    assert result.engagement_level == "low"


def test_the_http_entry_stores_the_grade_as_returned_and_sends_nothing(bot, webhook_receiver):
    grade = conversation_grade_for_api(account=bot.account, task=seed_task())
    assert grade.delivery_status == DeliveryStatus.RETURNED
    assert conversation_grade_for_api(account=bot.account, task=seed_task()).pk == grade.pk
    assert webhook_receiver.requests == []
    # A returned grade is never picked up for webhook delivery.
    assert not grades_awaiting_delivery().exists()
    assert grade_deliver(grade=grade).delivery_status == DeliveryStatus.RETURNED


def test_the_http_entry_registers_a_new_bot_in_the_callers_account(db):
    globex = AccountFactory(name="Globex")
    grade = conversation_grade_for_api(account=globex, task=seed_task(bot_id="bot_new"))
    bot = Bot.objects.get(bot_id="bot_new")
    assert (bot.account, bot.name) == (globex, "")
    assert (grade.account, grade.bot) == (globex, bot)


def test_the_http_entry_refuses_another_accounts_bot(bot):
    other = AccountFactory(name="Globex")
    with pytest.raises(ForeignBot) as caught:
        conversation_grade_for_api(account=other, task=seed_task())
    assert caught.value.message == FOREIGN_BOT_ERROR.format(bot_id="bot_123")
    assert caught.value.status_code == 409
    assert not ConversationGrade.objects.exists()


def test_the_http_entry_with_strict_bots_knows_only_the_callers_bots(bot, settings):
    settings.GRADING_STRICT_BOTS = True
    other = AccountFactory(name="Globex")
    for bot_id in ("bot_123", "bot_nobody_knows"):  # another account's, and nobody's
        with pytest.raises(UnknownBot) as caught:
            conversation_grade_for_api(account=other, task=seed_task(bot_id=bot_id))
        assert caught.value.message == UNKNOWN_BOT_ERROR.format(bot_id=bot_id)
    assert Bot.objects.count() == 1


# --- Two processes seeing the same new bot at once ------------------------------------------


def _registered_meanwhile(monkeypatch, *, account, bot_id="bot_new") -> Bot:
    """The bot another process registers between this one's look and its insert: this
    one's first look finds nothing, its insert then meets the bot's unique bot_id."""
    theirs = Bot.objects.create(account=account, bot_id=bot_id)
    looks = []

    def bot_by_id_late(*, bot_id, account=None):
        looks.append(bot_id)
        return None if len(looks) == 1 else bot_by_id(bot_id=bot_id, account=account)

    monkeypatch.setattr(services, "bot_by_id", bot_by_id_late)
    return theirs


def test_a_bot_registered_meanwhile_is_read_back_and_the_task_graded(
    db, webhook_receiver, monkeypatch
):
    globex = AccountFactory(name="Globex")
    theirs = _registered_meanwhile(monkeypatch, account=globex)

    grade = grading_task_process(task=seed_task(bot_id="bot_new"), account=globex)

    assert grade.bot == theirs
    # The failed insert was a savepoint's: this transaction goes on (on PostgreSQL a failed
    # statement outside one would abort every query after it).
    assert list(Bot.objects.values_list("bot_id", flat=True)) == ["bot_new"]
    assert grade.delivery_status == DeliveryStatus.DELIVERED


def test_a_bot_another_account_registered_meanwhile_is_refused_over_http(db, monkeypatch):
    globex, initech = AccountFactory(name="Globex"), AccountFactory(name="Initech")
    _registered_meanwhile(monkeypatch, account=globex)

    with pytest.raises(ForeignBot):
        conversation_grade_for_api(account=initech, task=seed_task(bot_id="bot_new"))
    assert Bot.objects.get().account == globex
    assert not ConversationGrade.objects.exists()


def test_registering_returns_the_bot_that_won(db):
    globex, initech = AccountFactory(name="Globex"), AccountFactory(name="Initech")
    theirs = Bot.objects.create(account=globex, bot_id="bot_new", name="Theirs")
    assert bot_register(account=initech, bot_id="bot_new") == theirs
    assert Bot.objects.count() == 1


def test_an_integrity_error_that_is_not_the_bot_ids_is_raised(db, monkeypatch):
    Bot.objects.create(account=AccountFactory(), bot_id="bot_new")
    monkeypatch.setattr(services, "bot_by_id", lambda **_: None)  # the conflict is not found
    with pytest.raises(IntegrityError):
        bot_register(account=AccountFactory(name="Globex"), bot_id="bot_new")


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_consumers_seeing_a_new_bot_at_once_register_it_once(webhook_receiver, monkeypatch):
    """Two threads, each its own connection, both find no bot before either inserts one."""
    both_looked = threading.Barrier(2, timeout=10)
    first_look = threading.local()

    def bot_by_id_together(*, bot_id, account=None):
        found = bot_by_id(bot_id=bot_id, account=account)
        if not getattr(first_look, "done", False):
            first_look.done = True
            both_looked.wait()
        return found

    monkeypatch.setattr(services, "bot_by_id", bot_by_id_together)
    grades, errors = {}, []

    def consume(task_id):
        try:
            grades[task_id] = grading_task_process(
                task=seed_task(bot_id="bot_new", task_id=task_id)
            )
        except Exception as error:  # the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=consume, args=(t,)) for t in ("task_a", "task_b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    (bot,) = Bot.objects.all()
    assert bot.account.slug == DEFAULT_ACCOUNT_SLUG
    assert {grade.bot_id for grade in grades.values()} == {bot.pk}
    assert ConversationGrade.objects.filter(bot=bot).count() == 2
    assert len(webhook_receiver.deliveries) == 2


def test_grading_is_logged_with_the_task_fields(bot, webhook_receiver, caplog):
    caplog.set_level("INFO", logger="scoring.conversations.services")
    caplog.set_level("INFO", logger="scoring.conversations.delivery")
    grading_task_process(task=seed_task())
    graded = next(r for r in caplog.records if r.getMessage() == "Visitor scored successfully")
    assert (graded.task_id, graded.visitor_id, graded.score, graded.category) == (
        "test_123", "visitor_123", 20, "cold"
    )  # fmt: skip
    delivered = next(r for r in caplog.records if r.getMessage() == "Webhook delivered")
    assert (delivered.task_id, delivered.attempts) == ("test_123", 1)
