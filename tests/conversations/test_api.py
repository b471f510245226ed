"""/api/conversations/: grading a visitor conversation over HTTP, and reading the grades."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from scoring.conversations.delivery import grading_result_for
from scoring.conversations.models import Bot, ConversationGrade, DeliveryStatus, LeadCategory
from scoring.conversations.schemas import (
    NOT_AN_OBJECT_ERROR,
    GradingResult,
    InvalidTask,
    grading_task_from_data,
)
from scoring.conversations.services import (
    FOREIGN_BOT_ERROR,
    TASK_CONFLICT_ERROR,
    UNKNOWN_BOT_ERROR,
)
from tests.api_endpoints import snapshot
from tests.conversation_tasks import SEED_TASK
from tests.factories import AccountFactory, BotFactory, ConversationGradeFactory

pytestmark = pytest.mark.django_db

GRADE_URL = "/api/conversations/grade/"
LIST_URL = "/api/conversations/"
MISSING_ID = 987_654_321


def _invalid_task_error(data) -> str:
    with pytest.raises(InvalidTask) as caught:
        grading_task_from_data(data)
    return str(caught.value)


@pytest.fixture
def other_account(db):
    return AccountFactory(name="Other")


# --- POST /api/conversations/grade/ --------------------------------------------------------------


def test_the_seeds_example_is_graded_and_answered_with_the_webhook_body(
    api_client, account, bot, webhook_receiver
):
    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == set(GradingResult.model_fields)
    assert GradingResult.model_validate(body)
    assert {key: body[key] for key in ("task_id", "visitor_id", "bot_id", "session_id")} == {
        key: SEED_TASK[key] for key in ("task_id", "visitor_id", "bot_id", "session_id")
    }
    assert (body["lead_score"], body["lead_category"]) == (20, "cold")
    assert body["engagement_level"] == "low"
    assert body["conversation_count"] == 2
    assert body["intent_signals"] and body["key_interests"] and body["recommended_actions"]
    assert body["reasoning"] and body["model_used"]
    grade = ConversationGrade.objects.get()
    assert (grade.account, grade.bot) == (account, bot)
    assert grade.delivery_status == DeliveryStatus.RETURNED
    assert grade.conversation_history == SEED_TASK["conversation_history"]
    assert grade.visitor_profile == SEED_TASK["visitor_profile"]
    assert body == grading_result_for(grade).model_dump(mode="json")
    # The answer is the result: no webhook for it.
    assert webhook_receiver.requests == []


def test_the_same_task_again_answers_the_stored_result(api_client, bot):
    first = api_client.post(GRADE_URL, SEED_TASK, format="json")
    changed = {**SEED_TASK, "conversation_history": [{"role": "user", "content": "demo?"}]}

    again = api_client.post(GRADE_URL, SEED_TASK, format="json")
    repeated_with_changes = api_client.post(GRADE_URL, changed, format="json")

    assert (first.status_code, again.status_code, repeated_with_changes.status_code) == (
        200,
        200,
        200,
    )
    assert again.json() == first.json()
    assert repeated_with_changes.json() == first.json()
    assert ConversationGrade.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"task_id": None}, "task_id"),
        ({"visitor_id": "   "}, "visitor_id"),
        ({"session_id": "x" * 256}, "session_id"),
        ({"conversation_history": "hello"}, "conversation_history"),
        (
            {"conversation_history": [{"role": "robot", "content": "hi"}]},
            "conversation_history.0.role",
        ),
        ({"visitor_profile": [1]}, "visitor_profile"),
        # PostgreSQL stores no NUL: refused, not a 500.
        (
            {"conversation_history": [{"role": "user", "content": "a\x00b"}]},
            "conversation_history.0.content",
        ),
        ({"visitor_profile": {"note": "\x00"}}, "visitor_profile.note"),
    ],
)
def test_an_invalid_task_is_400_naming_the_field_and_stores_nothing(api_client, bot, change, field):
    data = {**SEED_TASK, **change}
    before = snapshot()

    response = api_client.post(GRADE_URL, data, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": _invalid_task_error(data)}
    assert response.json()["error"].startswith(f"{field}: ")
    assert snapshot() == before


def test_a_missing_field_is_named(api_client, bot):
    data = {key: value for key, value in SEED_TASK.items() if key != "bot_id"}

    response = api_client.post(GRADE_URL, data, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": _invalid_task_error(data)}
    assert "bot_id: " in response.json()["error"]


@pytest.mark.parametrize("raw", ["[]", '["task"]', '"a task"', "42", "true", "null"])
def test_a_body_that_is_not_a_json_object_is_400(api_client, bot, raw):
    response = api_client.post(GRADE_URL, raw, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith(NOT_AN_OBJECT_ERROR.split("{")[0])
    assert response.json() == {"error": _invalid_task_error(json.loads(raw))}
    assert not ConversationGrade.objects.exists()


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("", "application/json", 400),
        ("task_id=t1&bot_id=bot_123", "application/x-www-form-urlencoded", 415),
    ],
    ids=["malformed-json", "empty", "form"],
)
def test_a_body_that_is_no_json_is_refused_with_a_json_error(
    api_client, bot, raw, content_type, status
):
    response = api_client.post(GRADE_URL, raw, content_type=content_type)

    assert response.status_code == status
    assert set(response.json()) == {"error"}
    assert not ConversationGrade.objects.exists()


def test_a_new_bot_is_registered_in_the_callers_account_and_graded(api_client, account):
    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == 200, response.content
    (bot,) = Bot.objects.all()
    assert (bot.bot_id, bot.account, bot.name) == (SEED_TASK["bot_id"], account, "")
    grade = ConversationGrade.objects.get()
    assert (grade.account, grade.bot) == (account, bot)
    assert response.json()["bot_id"] == SEED_TASK["bot_id"]
    again = api_client.post(GRADE_URL, SEED_TASK, format="json")
    assert again.json() == response.json()
    assert Bot.objects.count() == ConversationGrade.objects.count() == 1


def test_another_accounts_bot_is_409_and_stores_nothing(api_client):
    globex = AccountFactory(name="Globex")
    BotFactory(account=globex, bot_id=SEED_TASK["bot_id"])
    their_grade = ConversationGradeFactory(account=globex, task_id=SEED_TASK["task_id"])
    before = snapshot()

    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == 409
    assert response.json() == {"error": FOREIGN_BOT_ERROR.format(bot_id=SEED_TASK["bot_id"])}
    assert "globex" not in response.json()["error"].lower()  # whose it is stays unsaid
    assert snapshot() == before
    assert list(ConversationGrade.objects.values_list("pk", flat=True)) == [their_grade.pk]


def test_with_strict_bots_an_unknown_bot_is_400_and_stores_nothing(api_client, settings):
    settings.GRADING_STRICT_BOTS = True
    before = snapshot()

    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": UNKNOWN_BOT_ERROR.format(bot_id=SEED_TASK["bot_id"])}
    assert snapshot() == before


def test_with_strict_bots_another_accounts_bot_is_the_same_400_as_an_unknown_one(
    api_client, other_account, settings
):
    settings.GRADING_STRICT_BOTS = True
    BotFactory(account=other_account, bot_id=SEED_TASK["bot_id"])
    their_grade = ConversationGradeFactory(account=other_account, task_id=SEED_TASK["task_id"])
    missing = api_client.post(GRADE_URL, {**SEED_TASK, "bot_id": "no-such-bot"}, format="json")
    before = snapshot()

    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == missing.status_code == 400
    assert response.json() == {"error": UNKNOWN_BOT_ERROR.format(bot_id=SEED_TASK["bot_id"])}
    assert missing.json() == {"error": UNKNOWN_BOT_ERROR.format(bot_id="no-such-bot")}
    assert snapshot() == before
    assert list(ConversationGrade.objects.values_list("pk", flat=True)) == [their_grade.pk]


def test_the_same_task_id_in_another_account_is_graded_there_separately(
    api_client, account, bot, other_account
):
    theirs = ConversationGradeFactory(account=other_account, task_id=SEED_TASK["task_id"])

    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == 200
    assert ConversationGrade.objects.get(account=account).bot == bot
    assert ConversationGrade.objects.get(pk=theirs.pk).bot == theirs.bot


def test_a_task_id_graded_for_another_bot_is_409(api_client, account, bot):
    other_bot = BotFactory(account=account, bot_id="other-bot")
    ConversationGradeFactory(account=account, bot=other_bot, task_id=SEED_TASK["task_id"])
    before = snapshot()

    response = api_client.post(GRADE_URL, SEED_TASK, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": TASK_CONFLICT_ERROR.format(task_id=SEED_TASK["task_id"], other_bot="other-bot")
    }
    assert snapshot() == before


def test_the_grade_operation_is_documented_with_the_task_and_the_webhook_body():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][GRADE_URL]["post"]
    components = schema["components"]["schemas"]

    request = operation["requestBody"]
    assert list(request["content"]) == ["application/json"]
    examples = request["content"]["application/json"]["examples"]
    assert [example["value"] for example in examples.values()] == [SEED_TASK]
    assert request["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GradingTask"
    }
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/GradingResult"}
    required = set(GradingResult.model_fields) - {"qualification"}
    assert set(components["GradingResult"]["required"]) == required
    assert {"400", "401", "409", "413", "429"} <= set(operation["responses"])
    grade = components["ConversationGrade"]["properties"]
    assert grade["result"]["allOf"] == [{"$ref": "#/components/schemas/GradingResult"}]
    assert grade["conversation_history"]["items"] == {
        "$ref": "#/components/schemas/ConversationMessage"
    }


# --- GET /api/conversations/ and /api/conversations/{id}/ ----------------------------------------


@pytest.fixture
def grades(account):
    """Four grades over two bots, an hour apart (the last the newest)."""
    now = timezone.now()
    alpha = BotFactory(account=account, bot_id="alpha")
    beta = BotFactory(account=account, bot_id="beta")
    specs = {
        "hot": (alpha, 88, LeadCategory.HOT, DeliveryStatus.DELIVERED, "ada"),
        "warm": (alpha, 55, LeadCategory.WARM, DeliveryStatus.FAILED, "grace"),
        "cold": (beta, 20, LeadCategory.COLD, DeliveryStatus.RETURNED, "ada"),
        "pending": (beta, 60, LeadCategory.WARM, DeliveryStatus.PENDING, "alan"),
    }
    return {
        name: ConversationGradeFactory(
            account=account,
            bot=bot,
            lead_score=score,
            lead_category=category,
            delivery_status=status,
            visitor_id=visitor,
            graded_at=now - timedelta(hours=len(specs) - i),
        )
        for i, (name, (bot, score, category, status, visitor)) in enumerate(specs.items())
    }


def _names(response, grades):
    assert response.status_code == 200, response.content
    by_id = {grade.id: name for name, grade in grades.items()}
    return [by_id[item["id"]] for item in response.json()["results"]]


def test_list_is_paginated_newest_first(api_client, grades):
    response = api_client.get(LIST_URL)

    assert response.json()["count"] == 4
    assert _names(response, grades) == ["pending", "cold", "warm", "hot"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "warm"}, ["pending", "warm"]),
        ({"category": "hot"}, ["hot"]),
        ({"delivery_status": "failed"}, ["warm"]),
        ({"delivery_status": "returned"}, ["cold"]),
        ({"bot": "alpha"}, ["warm", "hot"]),
        ({"bot": "beta", "category": "warm"}, ["pending"]),
        ({"visitor_id": "ada"}, ["cold", "hot"]),
        ({"visitor_id": "nobody"}, []),
        ({"ordering": "lead_score"}, ["cold", "warm", "pending", "hot"]),
        ({"ordering": "-lead_score"}, ["hot", "pending", "warm", "cold"]),
        ({"ordering": "graded_at"}, ["hot", "warm", "cold", "pending"]),
    ],
)
def test_list_filters_and_ordering(api_client, grades, query, expected):
    assert _names(api_client.get(LIST_URL, query), grades) == expected


@pytest.mark.parametrize(
    "query", [{"category": "lukewarm"}, {"delivery_status": "lost"}, {"bot": "no-such-bot"}]
)
def test_an_invalid_filter_value_is_400(api_client, grades, query):
    response = api_client.get(LIST_URL, query)

    assert response.status_code == 400
    assert set(response.json()) == {"error", "fields"}
    assert set(response.json()["fields"]) == set(query)


def test_detail_has_the_task_the_result_and_the_delivery(api_client, grades):
    grade = grades["warm"]
    grade.delivery_attempts = 3
    grade.last_error = "HTTP 503"
    grade.save()

    response = api_client.get(f"{LIST_URL}{grade.id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["bot"] == "alpha"
    assert {key: body[key] for key in ("task_id", "visitor_id", "session_id")} == {
        "task_id": grade.task_id,
        "visitor_id": grade.visitor_id,
        "session_id": grade.session_id,
    }
    assert body["conversation_history"] == grade.conversation_history
    assert body["visitor_profile"] == grade.visitor_profile
    assert body["result"] == grading_result_for(grade).model_dump(mode="json")
    assert body["result"]["lead_score"] == 55
    assert body["graded_at"] == body["result"]["graded_at"]
    assert (body["delivery_status"], body["delivery_attempts"], body["last_error"]) == (
        "failed",
        3,
        "HTTP 503",
    )
    assert body["delivered_at"] is None
    assert body == api_client.get(LIST_URL, {"bot": "alpha"}).json()["results"][0]


def test_another_accounts_grades_are_neither_listed_nor_found(api_client, grades, other_account):
    theirs = ConversationGradeFactory(account=other_account, visitor_id="ada")

    listed = api_client.get(LIST_URL, {"visitor_id": "ada"})
    foreign = api_client.get(f"{LIST_URL}{theirs.id}/")
    missing = api_client.get(f"{LIST_URL}{MISSING_ID}/")

    assert theirs.id not in {item["id"] for item in listed.json()["results"]}
    assert listed.json()["count"] == 2
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    # Their bot is no filter value here: the same 400 as a bot that does not exist.
    by_their_bot = api_client.get(LIST_URL, {"bot": theirs.bot.bot_id})
    by_no_bot = api_client.get(LIST_URL, {"bot": "no-such-bot"})
    assert by_their_bot.status_code == by_no_bot.status_code == 400
    assert by_their_bot.json()["fields"] == by_no_bot.json()["fields"]
