"""A remote model's call retried by what it failed with, with no domain's prompt in sight:
a plain Prompt through `RemoteProvider.complete_with_retries` (scoring/llm/remote.py), and
the waits `core.http_retry.retrying` chooses."""

import pytest
from tenacity.wait import wait_fixed

from scoring.core.http_retry import RetryableFailure, retrying
from scoring.llm.base import LlmReply, Prompt, ProviderError
from scoring.llm.remote import RemoteProvider

PROMPT = Prompt(version="v1", system="Answer in JSON.", user="{}", schema={"type": "object"})
REPLY = LlmReply(text="{}", input_tokens=3, output_tokens=1)


class ScriptedModel(RemoteProvider):
    """Fails with each of `failures` in turn, then answers REPLY."""

    name, model = "scripted", "scripted-1"

    def __init__(self, *failures: ProviderError):
        self.failures, self.prompts = list(failures), []

    def complete(self, prompt: Prompt) -> LlmReply:
        self.prompts.append(prompt)
        if self.failures:
            raise self.failures.pop(0)
        return REPLY


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.LLM_MAX_RETRIES = 2
    settings.LLM_RETRY_BASE_DELAY = 0.001
    settings.LLM_RETRY_MAX_WAIT = 0.01


def test_retryable_failures_are_tried_again_until_an_answer():
    model = ScriptedModel(
        ProviderError("503", retryable=True), ProviderError("429", retryable=True)
    )

    assert model.complete_with_retries(PROMPT) == REPLY
    assert model.prompts == [PROMPT] * 3


def test_a_failure_not_worth_retrying_is_raised_at_once():
    refused = ProviderError("401", retryable=False)
    model = ScriptedModel(refused)

    with pytest.raises(ProviderError) as raised:
        model.complete_with_retries(PROMPT)
    assert raised.value is refused and len(model.prompts) == 1


def test_the_last_failure_is_raised_once_the_retries_are_spent():
    failures = [ProviderError(f"503 #{n}", retryable=True) for n in range(3)]
    model = ScriptedModel(*failures)

    with pytest.raises(ProviderError) as raised:
        model.complete_with_retries(PROMPT)
    assert raised.value is failures[-1] and len(model.prompts) == 3


@pytest.mark.parametrize(("retry_after", "waited"), [(None, 0.5), (0.2, 0.2), (60.0, 1.0)])
def test_a_wait_is_the_servers_retry_after_capped_else_the_backoff(retry_after, waited):
    waits = []
    retries = retrying(
        attempts=2,
        backoff=wait_fixed(0.5),
        max_wait=1.0,
        before_sleep=lambda state: waits.append(state.next_action.sleep),
    )
    retries.sleep = lambda seconds: None  # no real waiting in the test
    outcomes = [RetryableFailure("busy", retryable=True, retry_after=retry_after), None]

    def call():
        if outcome := outcomes.pop(0):
            raise outcome

    retries(call)
    assert waits == [waited]
