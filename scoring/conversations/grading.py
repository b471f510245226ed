"""Grading a visitor's conversation: by a remote model (the prompt, its answer schema, the
answer read back) or offline by the seed's criteria (scoring/conversations/criteria.py).

`grader_from_settings()` gives the remote grader when LLM_PROVIDER names a model, else the
offline one; either way the category and engagement level follow from the score and the
message count (services.conversation_grade)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from scoring.conversations import bant, criteria, judgement
from scoring.conversations.schemas import GradingTask
from scoring.llm import language_model_from_settings
from scoring.llm.base import LanguageModel, LlmReply, Prompt
from scoring.llm.remote import (
    as_prompt_data,
    cleaned,
    load_prompt_template,
    parse_reply,
    strict_json_schema,
)

CONVERSATION_PROMPT_PATH = Path(__file__).resolve().parent / "prompts" / "conversation_grading.yaml"
# A conversation grade's lists (signals, interests, actions), each item, and its reasoning.
MAX_CONVERSATION_ITEMS = 10
MAX_CONVERSATION_ITEM_CHARS = 300
MAX_CONVERSATION_REASONING_CHARS = 1000
LOCAL_GRADER_MODEL = "local-conversation-judgement-v2"


@dataclass(frozen=True)
class ConversationAssessment:
    """A provider's grade of a visitor conversation; the category and engagement level
    follow from the score and the message count, whoever grades."""

    score: int
    intent_signals: tuple[str, ...]
    key_interests: tuple[str, ...]
    recommended_actions: tuple[str, ...]
    reasoning: str
    model_used: str  # e.g. "openai/gpt-4o-mini", or the offline criteria's version
    input_tokens: int | None = None
    output_tokens: int | None = None
    # BANT from the visitor's words (bant.py): {"budget": {"value", "evidence"} or None, …}
    qualification: dict | None = None


ConversationItem = Annotated[str, StringConstraints(max_length=MAX_CONVERSATION_ITEM_CHARS)]


class ConversationGradeAnswer(BaseModel):
    """The JSON a provider is asked for when it grades a conversation (and held to)."""

    # The docstring goes to the model as the schema's description; this comment does not.
    # Any integer score is accepted, none refused for its range: conversation_grade clamps
    # it to 0–100 and derives the category from the clamped score.
    model_config = ConfigDict(extra="forbid")

    lead_score: int = Field(strict=True)  # 85, not "85", 85.5 or true
    intent_signals: list[ConversationItem] = Field(
        default_factory=list, max_length=MAX_CONVERSATION_ITEMS
    )
    key_interests: list[ConversationItem] = Field(
        default_factory=list, max_length=MAX_CONVERSATION_ITEMS
    )
    recommended_actions: list[ConversationItem] = Field(
        default_factory=list, max_length=MAX_CONVERSATION_ITEMS
    )
    reasoning: str = Field(min_length=1, max_length=MAX_CONVERSATION_REASONING_CHARS)


def conversation_answer_json_schema() -> dict:
    """The conversation grade's JSON schema, in strict form."""
    return strict_json_schema(ConversationGradeAnswer)


def build_conversation_prompt(*, task: GradingTask) -> Prompt:
    """The transcript (every message, the bot's too, for context) and the number of the
    visitor's messages, which the engagement criterion counts."""
    template = load_prompt_template(CONVERSATION_PROMPT_PATH)
    conversation_data = {
        "visitor_message_count": len(task.visitor_messages),
        "messages": [{"role": m.role, "content": m.content} for m in task.conversation_history],
    }
    return Prompt(
        version=template["version"],
        system=template["system"],
        user=template["user"].format(conversation_json=as_prompt_data(conversation_data)),
        schema=conversation_answer_json_schema(),
        schema_name="conversation_grade",
    )


def parse_conversation_answer(
    provider: str, reply: LlmReply, *, model_used: str | None = None
) -> ConversationAssessment:
    """The grade as the provider gave it, its score unclamped (conversation_grade clamps);
    `model_used` defaults to the provider's name."""
    answer = parse_reply(provider, ConversationGradeAnswer, reply)
    return ConversationAssessment(
        score=answer.lead_score,
        intent_signals=cleaned(answer.intent_signals),
        key_interests=cleaned(answer.key_interests),
        recommended_actions=cleaned(answer.recommended_actions),
        reasoning=answer.reasoning.strip(),
        model_used=model_used or provider,
        input_tokens=reply.input_tokens,
        output_tokens=reply.output_tokens,
    )


class ConversationGrader(Protocol):
    name: str
    model: str

    def grade(self, *, task: GradingTask) -> ConversationAssessment:
        """Grade a visitor's chat by the seed's criteria; raise ProviderError when a remote
        model fails."""
        ...


class LocalGrader:
    """Offline: the seed's criteria (criteria.py) and a sales manager's judgement of who the
    visitor is (judgement.py), with BANT (bant.py). The grade when no model is configured,
    and the stand-in when a remote one fails."""

    name = "local"
    model = LOCAL_GRADER_MODEL

    def grade(self, *, task: GradingTask) -> ConversationAssessment:
        # One apostrophe: "don’t" is "don't" to every pattern.
        messages = [message.replace("’", "'") for message in task.visitor_messages]
        grade = criteria.criteria_grade(messages)
        found = bant.qualification(messages)
        situation = judgement.visitor_situation(messages, task.exchanges, found)
        score = judgement.judged_score(
            grade.score,
            situation,
            showed_interest=bool(grade.met),
            engaged=len(messages) >= judgement.ENGAGED_MESSAGES,
        )
        category = criteria.category_for(score)
        return ConversationAssessment(
            score=score,
            intent_signals=judgement.signals(grade, situation),
            key_interests=tuple(criteria.key_interests(messages)),
            recommended_actions=tuple(judgement.actions(grade, situation, category)),
            reasoning=judgement.reasoning(
                grade, situation, score, category, bant.qualification_summary(found)
            ),
            model_used=self.model,
            qualification=found,
        )


class RemoteGrader:
    """A remote model grading by the conversation prompt, its answer held to the schema."""

    def __init__(self, language_model: LanguageModel):
        self.language_model = language_model
        self.name = language_model.name
        self.model = language_model.model

    def grade(self, *, task: GradingTask) -> ConversationAssessment:
        reply = self.language_model.complete_with_retries(build_conversation_prompt(task=task))
        return parse_conversation_answer(self.name, reply, model_used=f"{self.name}/{self.model}")


def grader_from_settings() -> ConversationGrader:
    """The remote grader for the configured model, or the offline one for `local`."""
    language_model = language_model_from_settings()
    return RemoteGrader(language_model) if language_model else LocalGrader()
