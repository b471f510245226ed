"""The admin pages of bots and graded conversations, and redelivering their webhooks."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants as message_levels
from django.urls import reverse

from scoring.conversations.admin import REDELIVERED_MESSAGE
from scoring.conversations.delivery import WEBHOOK_NOT_CONFIGURED_ERROR, grading_result_for
from scoring.conversations.models import ConversationGrade, DeliveryStatus, LeadCategory
from tests.factories import AccountFactory, BotFactory, ConversationGradeFactory, UserFactory

pytestmark = pytest.mark.django_db

GRADES_URL = "admin:conversations_conversationgrade_changelist"


def changelist_results(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def messages_of(response):
    return [(m.level, m.message) for m in response.context["messages"]]


@pytest.fixture
def grades(account):
    """Four grades of two bots in two accounts, one per delivery status."""
    other = AccountFactory(name="Other")
    sales = BotFactory(account=account, bot_id="sales-bot", name="Sales")
    support = BotFactory(account=other, bot_id="support-bot", name="Support")
    return {
        "failed": ConversationGradeFactory(
            account=account,
            bot=sales,
            task_id="task-failed",
            visitor_id="ada",
            lead_score=85,
            lead_category=LeadCategory.HOT,
            delivery_status=DeliveryStatus.FAILED,
            delivery_attempts=3,
            last_error="HTTP 503",
        ),
        "pending": ConversationGradeFactory(
            account=other,
            bot=support,
            task_id="task-pending",
            visitor_id="grace",
            lead_score=50,
            lead_category=LeadCategory.WARM,
            delivery_status=DeliveryStatus.PENDING,
        ),
        "delivered": ConversationGradeFactory(
            account=account,
            bot=sales,
            task_id="task-delivered",
            visitor_id="alan",
            delivery_status=DeliveryStatus.DELIVERED,
            delivery_attempts=1,
        ),
        "returned": ConversationGradeFactory(
            account=other,
            bot=support,
            task_id="task-returned",
            visitor_id="ada",
            delivery_status=DeliveryStatus.RETURNED,
        ),
    }


def _redeliver(client, grades):
    return client.post(
        reverse(GRADES_URL),
        {"action": "redeliver_webhook", "_selected_action": [g.pk for g in grades]},
        follow=True,
    )


# --- Bots ----------------------------------------------------------------------------------------


def test_bot_changelist_lists_searches_and_filters_by_account(admin_client, grades):
    url = reverse("admin:conversations_bot_changelist")
    other = grades["pending"].account

    everything = changelist_results(admin_client.get(url))
    searched = changelist_results(admin_client.get(url, {"q": "support"}))
    filtered = changelist_results(admin_client.get(url, {"account__id__exact": other.pk}))

    assert {bot.bot_id for bot in everything} == {"sales-bot", "support-bot"}
    assert [bot.bot_id for bot in searched] == ["support-bot"]
    assert [bot.bot_id for bot in filtered] == ["support-bot"]
    assert "Sales" in admin_client.get(url).content.decode()


def test_a_bot_is_added_in_the_admin(admin_client, account):
    response = admin_client.post(
        reverse("admin:conversations_bot_add"),
        {"account": account.pk, "bot_id": "bot_123", "name": "Website"},
    )

    assert response.status_code == 302
    assert account.bots.get().bot_id == "bot_123"


# --- Grades --------------------------------------------------------------------------------------


def test_grade_changelist_shows_the_columns(admin_client, grades):
    response = admin_client.get(reverse(GRADES_URL))

    assert {g.pk for g in changelist_results(response)} == {g.pk for g in grades.values()}
    content = response.content.decode()
    for text in ("task-failed", "ada", "Sales", "85", "hot", "failed", "returned"):
        assert text in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"lead_category__exact": "hot"}, {"failed"}),
        ({"lead_category__exact": "cold"}, {"delivered", "returned"}),
        ({"delivery_status__exact": "failed"}, {"failed"}),
        ({"delivery_status__exact": "returned"}, {"returned"}),
        ({"account__id__exact": "other"}, {"pending", "returned"}),
        ({"q": "task-pending"}, {"pending"}),
        ({"q": "ada"}, {"failed", "returned"}),
        ({"q": "nobody"}, set()),
    ],
)
def test_grade_changelist_filters_and_search(admin_client, grades, query, expected):
    accounts = {"other": grades["pending"].account_id}
    params = {key: accounts.get(value, value) for key, value in query.items()}

    results = changelist_results(admin_client.get(reverse(GRADES_URL), params))

    assert {g.pk for g in results} == {grades[name].pk for name in expected}


def test_grades_are_read_only(admin_client, grades):
    grade = grades["failed"]
    url = reverse("admin:conversations_conversationgrade_change", args=[grade.pk])
    before = ConversationGrade.objects.values().get(pk=grade.pk)

    page = admin_client.get(url)
    post = admin_client.post(url, {"lead_score": 1, "delivery_status": "delivered"})

    assert page.status_code == 200
    assert "task-failed" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert admin_client.get(reverse("admin:conversations_conversationgrade_add")).status_code == 403
    delete_url = reverse("admin:conversations_conversationgrade_delete", args=[grade.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ConversationGrade.objects.values().get(pk=grade.pk) == before


# --- Redeliver webhook ---------------------------------------------------------------------------


def test_redeliver_sends_the_undelivered_results_and_reports_the_counts(
    admin_client, grades, webhook_receiver
):
    response = _redeliver(admin_client, grades.values())

    assert response.status_code == 200
    assert messages_of(response) == [
        (
            message_levels.SUCCESS,
            REDELIVERED_MESSAGE.format(delivered=2, failed=0, skipped=2),
        )
    ]
    sent = {body["task_id"]: body for body in webhook_receiver.deliveries}
    assert set(sent) == {"task-failed", "task-pending"}
    for name in ("failed", "pending"):
        grade = ConversationGrade.objects.select_related("bot").get(pk=grades[name].pk)
        assert sent[grade.task_id] == grading_result_for(grade).model_dump(mode="json")
        assert grade.delivery_status == DeliveryStatus.DELIVERED
        assert grade.delivered_at is not None
        assert grade.last_error == ""
    assert ConversationGrade.objects.get(pk=grades["failed"].pk).delivery_attempts == 4
    # Delivered and answered-over-HTTP grades are left as they were.
    assert ConversationGrade.objects.get(pk=grades["delivered"].pk).delivery_attempts == 1
    returned = ConversationGrade.objects.get(pk=grades["returned"].pk)
    assert (returned.delivery_status, returned.delivery_attempts) == (DeliveryStatus.RETURNED, 0)


def test_redeliver_that_fails_again_reports_it_and_keeps_the_error(
    admin_client, grades, webhook_receiver
):
    webhook_receiver.status = 503

    response = _redeliver(admin_client, [grades["failed"]])

    assert messages_of(response) == [
        (
            message_levels.WARNING,
            REDELIVERED_MESSAGE.format(delivered=0, failed=1, skipped=0),
        )
    ]
    grade = ConversationGrade.objects.get(pk=grades["failed"].pk)
    assert grade.delivery_status == DeliveryStatus.FAILED
    assert grade.delivery_attempts == 3 + 3
    assert "503" in grade.last_error
    assert webhook_receiver.deliveries == []


def test_redeliver_without_a_configured_webhook_is_an_error_message_not_a_500(
    admin_client, grades, settings
):
    settings.BACKEND_WEBHOOK_URL = ""
    settings.BACKEND_WEBHOOK_SECRET = ""
    before = list(ConversationGrade.objects.order_by("pk").values())

    response = _redeliver(admin_client, [grades["failed"], grades["pending"]])

    assert response.status_code == 200
    assert messages_of(response) == [(message_levels.ERROR, WEBHOOK_NOT_CONFIGURED_ERROR)]
    assert list(ConversationGrade.objects.order_by("pk").values()) == before


def test_redeliver_needs_the_change_permission(client, grades, webhook_receiver):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversationgrade"))
    client.force_login(viewer)

    page = client.get(reverse(GRADES_URL))
    response = _redeliver(client, [grades["failed"]])

    assert page.status_code == 200
    assert "redeliver_webhook" not in page.content.decode()
    assert response.status_code == 200
    assert webhook_receiver.requests == []
    assert ConversationGrade.objects.get(pk=grades["failed"].pk).delivery_attempts == 3
