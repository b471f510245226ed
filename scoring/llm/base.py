"""What every language model is asked and answers, and how it fails.

The domains build the prompt (its JSON schema included) and read the answer; a provider only
sends the prompt through its SDK. Nothing here knows of leads or conversations."""

from dataclasses import dataclass
from typing import Protocol

from scoring.core.http_retry import RetryableFailure


class ProviderError(RetryableFailure):
    """A provider call that failed. `retryable` for what may work a moment later."""


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user: str
    schema: dict
    schema_name: str = "answer"  # how the schema is named where a provider names it


@dataclass(frozen=True)
class LlmReply:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None


class LanguageModel(Protocol):
    name: str  # the provider: "openai", "gemini", "ollama"
    model: str
    # True: each call goes over the network and takes its time (and may cost money).
    remote: bool

    def complete(self, prompt: Prompt) -> LlmReply:
        """One call; raise ProviderError when it fails."""
        ...

    def complete_with_retries(self, prompt: Prompt) -> LlmReply:
        """`complete`, retried while it fails with a retryable ProviderError."""
        ...
