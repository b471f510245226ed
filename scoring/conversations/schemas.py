"""The grading task a chat backend sends and the webhook body it gets back.

Both the queue consumer and POST /api/conversations/grade/ read tasks through
`grading_task_from_json` / `grading_task_from_data`, so a bad task is refused with the same
reason, naming the field, whichever way it came.
"""

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

# Who said it: the visitor ("user", as the seed sends it, or "visitor"), the bot, or the
# system prompt. Only the visitor's messages are evidence of intent.
VISITOR_ROLES = frozenset({"user", "visitor"})
MessageRole = Literal["user", "visitor", "assistant", "bot", "agent", "system"]
MAX_ID_CHARS = 255
MAX_MESSAGE_CHARS = 20_000
MAX_MESSAGES = 1_000

Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ID_CHARS)
]

INVALID_JSON_ERROR = "Task is not valid JSON: {detail}"
# PostgreSQL stores no NUL character in text or jsonb: refused up front, naming where.
NUL_CHARACTER_ERROR = "{path}: must not contain the NUL character (\\u0000)."
NOT_AN_OBJECT_ERROR = "Task must be a JSON object, not {kind}."
_JSON_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class ConversationMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: MessageRole
    content: str = Field(max_length=MAX_MESSAGE_CHARS)


class GradingTask(BaseModel):
    """What the backend publishes when a visitor's chat session closes. Fields it adds
    later are ignored, so a newer backend does not get its tasks dead-lettered."""

    model_config = ConfigDict(extra="ignore")

    task_id: Identifier
    visitor_id: Identifier
    bot_id: Identifier
    session_id: Identifier
    conversation_history: list[ConversationMessage] = Field(max_length=MAX_MESSAGES)
    visitor_profile: dict[str, Any] = Field(default_factory=dict)

    @property
    def visitor_messages(self) -> list[str]:
        return [m.content for m in self.conversation_history if m.role in VISITOR_ROLES]

    @property
    def exchanges(self) -> list[tuple[str, str]]:
        """Each visitor message with the bot's last message before it ("" if none): the
        question a one-word answer answers."""
        pairs, bot_said = [], ""
        for message in self.conversation_history:
            if message.role in VISITOR_ROLES:
                pairs.append((bot_said, message.content))
            elif message.role != "system":
                bot_said = message.content
        return pairs


def _openapi_nullable(schema: dict) -> None:
    """The model's JSON schema as OpenAPI 3.0 reads it, which has no "null" type: an
    optional field is its own type, `nullable`."""
    for field in schema.get("properties", {}).values():
        alternatives = field.get("anyOf", [])
        if {"type": "null"} not in alternatives:
            continue
        rest = [
            alternative for alternative in field.pop("anyOf") if alternative != {"type": "null"}
        ]
        field.update(rest[0] if len(rest) == 1 and "$ref" not in rest[0] else {"allOf": rest})
        field["nullable"] = True


class BantItem(BaseModel):
    value: str = Field(description='What the visitor said, e.g. "$40k a year".')
    evidence: str = Field(description="The visitor's sentence it is in.")


class Qualification(BaseModel):
    """BANT from the visitor's own words; null where they did not say it."""

    model_config = ConfigDict(json_schema_extra=_openapi_nullable)

    budget: BantItem | None = None
    authority: BantItem | None = None
    need: BantItem | None = None
    timeline: BantItem | None = None


class GradingResult(BaseModel):
    """The webhook body, field for field as the seed's backend declares it, plus the
    optional `qualification` (BANT), which a receiver using the seed's model ignores."""

    model_config = ConfigDict(json_schema_extra=_openapi_nullable)

    task_id: str
    visitor_id: str
    bot_id: str
    session_id: str
    lead_score: int = Field(ge=0, le=100)
    lead_category: Literal["hot", "warm", "cold"]
    intent_signals: list[str]
    engagement_level: Literal["high", "medium", "low", "none"]
    key_interests: list[str]
    recommended_actions: list[str]
    reasoning: str
    graded_at: datetime
    model_used: str
    # Messages in the conversation, the visitor's and the bot's.
    conversation_count: int = Field(ge=0)
    qualification: Qualification | None = None


class InvalidTask(ValueError):
    """A task that cannot be graded; the message says why (and which field)."""


def validation_reason(error: ValidationError) -> str:
    """'conversation_history.1.role: Input should be ...; task_id: Field required'."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'task'}: {e['msg']}" for e in error.errors()
    )


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where in the JSON value a string (or an object key) holds a NUL, or None."""
    if isinstance(value, str):
        return (path or "task") if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return here
        if (found := _nul_path(item, here)) is not None:
            return found
    return None


def grading_task_from_data(data: Any) -> GradingTask:
    if not isinstance(data, dict):
        kind = _JSON_KINDS.get(type(data), type(data).__name__)
        raise InvalidTask(NOT_AN_OBJECT_ERROR.format(kind=kind))
    if (path := _nul_path(data)) is not None:
        raise InvalidTask(NUL_CHARACTER_ERROR.format(path=path))
    try:
        return GradingTask.model_validate(data)
    except ValidationError as error:
        raise InvalidTask(validation_reason(error)) from error


def grading_task_from_json(body: bytes | str) -> GradingTask:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidTask(INVALID_JSON_ERROR.format(detail=error)) from error
    return grading_task_from_data(data)
