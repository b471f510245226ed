import json

import pytest

from scoring.conversations.schemas import (
    INVALID_JSON_ERROR,
    MAX_MESSAGES,
    NOT_AN_OBJECT_ERROR,
    NUL_CHARACTER_ERROR,
    InvalidTask,
    grading_task_from_data,
    grading_task_from_json,
)
from tests.conversation_tasks import SEED_TASK, task_data


def test_the_seeds_example_task_is_read():
    task = grading_task_from_json(json.dumps(SEED_TASK))
    assert task.task_id == "test_123"
    assert task.visitor_profile == {"total_sessions": 2}
    assert task.visitor_messages == ["What's your pricing?"]


def test_only_the_visitors_messages_are_visitor_messages():
    task = grading_task_from_data(
        task_data(
            [
                {"role": "system", "content": "You are a helpful bot."},
                {"role": "visitor", "content": "Hello"},
                {"role": "bot", "content": "Hi!"},
                {"role": "user", "content": "Pricing?"},
            ]
        )
    )
    assert task.visitor_messages == ["Hello", "Pricing?"]


def test_fields_a_newer_backend_adds_are_ignored():
    task = grading_task_from_data({**SEED_TASK, "priority": "high"})
    assert not hasattr(task, "priority")


def test_identifiers_are_stripped():
    assert grading_task_from_data({**SEED_TASK, "task_id": "  t1 "}).task_id == "t1"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"task_id": None}, "task_id"),
        ({"visitor_id": ""}, "visitor_id"),
        ({"bot_id": "   "}, "bot_id"),
        ({"session_id": "x" * 256}, "session_id"),
        ({"conversation_history": "hello"}, "conversation_history"),
        (
            {"conversation_history": [{"role": "robot", "content": "hi"}]},
            "conversation_history.0.role",
        ),
        ({"conversation_history": [{"role": "user"}]}, "conversation_history.0.content"),
        ({"visitor_profile": []}, "visitor_profile"),
    ],
)
def test_an_invalid_field_is_named(change, named):
    with pytest.raises(InvalidTask) as caught:
        grading_task_from_data({**SEED_TASK, **change})
    assert str(caught.value).startswith(f"{named}: ")


def test_a_missing_field_is_named():
    data = dict(SEED_TASK)
    del data["bot_id"]
    with pytest.raises(InvalidTask, match=r"^bot_id: Field required$"):
        grading_task_from_data(data)


def test_too_many_messages_are_refused():
    history = [{"role": "user", "content": "hi"}] * (MAX_MESSAGES + 1)
    with pytest.raises(InvalidTask, match="^conversation_history: "):
        grading_task_from_data(task_data(history))


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b'{"task_id": '])
def test_a_body_that_is_not_json_is_refused(body):
    with pytest.raises(InvalidTask) as caught:
        grading_task_from_json(body)
    assert str(caught.value).startswith(INVALID_JSON_ERROR.split("{")[0])


@pytest.mark.parametrize(
    ("body", "kind"), [(b"[]", "an array"), (b"42", "a number"), (b"null", "null")]
)
def test_a_body_that_is_not_an_object_is_refused(body, kind):
    with pytest.raises(InvalidTask) as caught:
        grading_task_from_json(body)
    assert str(caught.value) == NOT_AN_OBJECT_ERROR.format(kind=kind)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"task_id": "t\x001"}, "task_id"),
        (
            {"conversation_history": [{"role": "user", "content": "hi\x00"}]},
            "conversation_history.0.content",
        ),
        ({"visitor_profile": {"notes": ["ok", "bad\x00"]}}, "visitor_profile.notes.1"),
        ({"visitor_profile": {"k\x00": 1}}, "visitor_profile.k\x00"),
    ],
)
def test_nul_characters_are_refused_naming_where(change, path):
    # PostgreSQL would refuse to store them: the task is refused before any work.
    with pytest.raises(InvalidTask) as caught:
        grading_task_from_json(json.dumps({**SEED_TASK, **change}))
    assert str(caught.value) == NUL_CHARACTER_ERROR.format(path=path)
