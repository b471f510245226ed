"""A hot grade is told to its bot's owner (else the account's members) by email through a
real SMTP server, and to a Slack hook, once: from the consumer's path and over HTTP,
whatever redelivers or races the task."""

import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from scoring.conversations.consumer import ACK, handle_task_message
from scoring.conversations.models import OWNER_NOT_MEMBER_ERROR, Bot, ConversationGrade
from scoring.conversations.notify import HOT_SUBJECT, grade_notify
from scoring.conversations.schemas import grading_task_from_data
from scoring.conversations.services import (
    conversation_grade,
    conversation_grade_for_api,
    conversation_grade_store,
    grading_task_process,
)
from scoring.notifications.models import Notification
from scoring.notifications.services import notifications_resend
from tests.conversation_tasks import COLD_MESSAGES, HOT_MESSAGES, task_data
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

GRADE_URL = "/api/conversations/grade/"
# Pricing and a demo from a company, over three messages: 55, warm.
WARM_MESSAGES = [
    "What does the pro plan cost?",
    "Can we book a demo?",
    "We are a 50-person agency.",
]


def hot_task(**fields):
    return grading_task_from_data(task_data(HOT_MESSAGES, **fields))


@pytest.fixture
def owner(account, bot):
    user = UserFactory(email="owner@example.com", membership__account=account)
    bot.owner = user
    bot.save()
    return user


@pytest.fixture
def teammates(account):
    """Members of the account with an email, one without, and someone elsewhere."""
    UserFactory(email="", membership__account=account)
    UserFactory(email="elsewhere@example.com", membership__account=AccountFactory(name="B"))
    return [
        UserFactory(email=address, membership__account=account)
        for address in ("ann@example.com", "bob@example.com")
    ]


def assert_hot_mail(mail, grade: ConversationGrade) -> None:
    """The mail tells everything the grade says, and links to it."""
    assert mail.subject == HOT_SUBJECT.format(
        bot=grade.bot, visitor=grade.visitor_id, score=grade.lead_score
    )
    body = mail.body
    assert f"score {grade.lead_score}/100 (hot)" in body
    for item in [*grade.intent_signals, *grade.key_interests, *grade.recommended_actions]:
        assert f"- {item}\n" in body, item
    assert grade.reasoning in body
    assert any(grade.qualification.values())
    for field, found in grade.qualification.items():
        if found:
            assert f'- {field}: "{found["value"]}"\n' in body, field
    assert f"https://scores.example.com/api/conversations/{grade.pk}/" in body
    assert grade.visitor_id in body and grade.session_id in body


def test_a_hot_grade_emails_the_bots_owner(bot, owner, teammates, webhook_receiver, smtp_server):
    grade = grading_task_process(task=hot_task())

    assert grade.lead_category == "hot"
    (mail,) = smtp_server.mails
    assert mail.recipients == ["owner@example.com"]
    assert_hot_mail(mail, grade)
    assert len(grade.intent_signals) >= 5 and grade.key_interests and grade.recommended_actions
    notification = Notification.objects.get()
    assert (notification.event_key, notification.account) == (
        f"conversation:{grade.pk}",
        bot.account,
    )
    assert (notification.status, notification.recipients) == ("sent", ["owner@example.com"])


def test_without_an_owner_the_accounts_members_are_emailed(
    bot, teammates, webhook_receiver, smtp_server
):
    grade = grading_task_process(task=hot_task())

    (mail,) = smtp_server.mails
    assert mail.recipients == ["ann@example.com", "bob@example.com"]
    assert_hot_mail(mail, grade)


@pytest.mark.parametrize(
    ("messages", "category"), [(WARM_MESSAGES, "warm"), (COLD_MESSAGES, "cold")]
)
def test_warm_and_cold_grades_tell_nobody(
    bot, owner, webhook_receiver, smtp_server, slack_receiver, messages, category
):
    grade = grading_task_process(task=grading_task_from_data(task_data(messages)))
    conversation_grade_for_api(
        account=bot.account, task=grading_task_from_data(task_data(messages, task_id="http"))
    )

    assert grade.lead_category == category
    assert webhook_receiver.deliveries  # graded and delivered as ever
    assert smtp_server.mails == [] and slack_receiver.requests == []
    assert not Notification.objects.exists()


def test_a_hot_grade_over_http_emails_the_owner(api_client, bot, owner, smtp_server):
    response = api_client.post(GRADE_URL, task_data(HOT_MESSAGES), format="json")

    assert response.status_code == 200, response.content
    assert response.json()["lead_category"] == "hot"
    grade = ConversationGrade.objects.get()
    (mail,) = smtp_server.mails
    assert mail.recipients == ["owner@example.com"]
    assert_hot_mail(mail, grade)
    # The same task again answers the stored grade, and tells nobody twice.
    assert api_client.post(GRADE_URL, task_data(HOT_MESSAGES), format="json").status_code == 200
    assert len(smtp_server.mails) == 1


def test_the_slack_hook_gets_the_hot_grade_as_json(bot, webhook_receiver, slack_receiver):
    grade = grading_task_process(task=hot_task())

    (message,) = slack_receiver.deliveries
    assert message["text"] == (
        f"Hot lead from {grade.bot}: visitor {grade.visitor_id} scored {grade.lead_score}/100 (hot)"
    )
    blocks = "\n".join(block["text"]["text"] for block in message["blocks"])
    for item in [*grade.intent_signals, *grade.recommended_actions]:
        assert item in blocks
    assert grade.reasoning in blocks
    link = f"https://scores.example.com{reverse('conversation-detail', args=[grade.pk])}"
    assert f"<{link}|Open the grade>" in blocks


def test_a_redelivered_task_sends_one_mail(bot, owner, webhook_receiver, smtp_server):
    body = task_data(HOT_MESSAGES)
    raw = json.dumps(body).encode()

    assert handle_task_message(raw, redelivered=False) == ACK
    assert handle_task_message(raw, redelivered=True) == ACK  # RabbitMQ gives it again
    grading_task_process(task=grading_task_from_data(body))  # and a backend published it twice

    assert len(smtp_server.mails) == 1
    assert Notification.objects.count() == 1
    assert len(webhook_receiver.deliveries) == 1


def test_a_hot_grades_notification_is_held_by_the_process_that_stores_it(
    bot, owner, webhook_receiver, smtp_server
):
    task = hot_task()
    result, _ = conversation_grade(task=task)
    stored = conversation_grade_store(task=task, bot=bot, result=result)
    held = stored.notification
    # Until the grade's own delivery hold: the next copy of the task takes over both at once.
    assert (held.status, held.claimed_until) == ("pending", stored.grade.delivery_claimed_until)

    counts = notifications_resend(notifications=Notification.objects.all())
    assert counts == {"sent": 0, "failed": 0, "skipped": 1}
    assert smtp_server.mails == []

    grade_notify(grade=stored.grade, held=held)
    assert len(smtp_server.mails) == 1
    assert Notification.objects.get().status == "sent"


def test_a_notification_that_failed_is_sent_when_the_task_comes_again(
    bot, owner, webhook_receiver, smtp_server
):
    smtp_server.stop()
    grading_task_process(task=hot_task())
    assert Notification.objects.get().status == "failed"
    smtp_server.start()

    grading_task_process(task=hot_task())
    grading_task_process(task=hot_task())

    assert len(smtp_server.mails) == 1
    assert Notification.objects.get().status == "sent"


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("look_first", [True, False])  # False: both a message's first delivery
def test_two_processes_racing_on_the_same_task_send_one_mail(
    bot, owner, webhook_receiver, smtp_server, look_first
):
    webhook_receiver.delay = 0.2  # both are in flight at once
    start = threading.Barrier(3)
    errors = []

    def process():
        try:
            start.wait()
            grading_task_process(task=hot_task(), look_first=look_first)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=process) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert ConversationGrade.objects.count() == 1
    assert len(webhook_receiver.deliveries) == 1
    assert len(smtp_server.mails) == 1
    assert Notification.objects.get().status == "sent"


def test_a_bots_owner_must_be_a_member_of_its_account(bot, account):
    bot.owner = UserFactory(email="x@example.com", membership__account=AccountFactory(name="B"))
    with pytest.raises(ValidationError) as error:
        bot.full_clean()
    assert error.value.message_dict == {"owner": [OWNER_NOT_MEMBER_ERROR]}
    bot.owner = UserFactory(membership__account=account)
    bot.full_clean()


def test_the_owner_is_set_in_the_admin(admin_client, bot, account):
    member = UserFactory(email="owner@example.com", membership__account=account)
    outsider = UserFactory(membership__account=AccountFactory(name="B"))
    url = reverse("admin:conversations_bot_change", args=[bot.pk])
    form = {"account": account.pk, "bot_id": bot.bot_id, "name": bot.name}

    refused = admin_client.post(url, {**form, "owner": outsider.pk})
    saved = admin_client.post(url, {**form, "owner": member.pk})

    assert refused.context["adminform"].form.errors == {"owner": [OWNER_NOT_MEMBER_ERROR]}
    assert saved.status_code == 302
    assert Bot.objects.get(pk=bot.pk).owner == member
