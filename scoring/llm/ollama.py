"""A local model served by Ollama, its answer held to the JSON schema, through the `ollama`
SDK. Needs no key, only OLLAMA_HOST."""

import os

import httpx
import ollama
from django.conf import settings

from scoring.llm.base import LlmReply, Prompt
from scoring.llm.remote import RemoteProvider, failure_from, required_setting, status_error


class OllamaProvider(RemoteProvider):
    name = "ollama"

    def __init__(self, *, host: str, model: str, timeout: float):
        self.model = model
        self.timeout = timeout
        # The SDK turns an HTTP error into a ResponseError without its headers; this hook
        # sees the response first, so a 429's Retry-After is honoured as for the others.
        # One client per provider, shared by the scoring threads (one thread-safe httpx
        # pool); the SDK never retries.
        self._client = ollama.Client(
            host=host, timeout=timeout, event_hooks={"response": [self._raise_for_status]}
        )

    @classmethod
    def from_settings(cls) -> "OllamaProvider":
        return cls(
            host=required_setting("OLLAMA_HOST", cls.name),
            model=required_setting("OLLAMA_MODEL", cls.name),
            timeout=settings.LLM_TIMEOUT,
        )

    def _raise_for_status(self, response: httpx.Response) -> None:
        if response.is_error:
            response.read()
            try:
                body = response.json()
            except ValueError:
                body = response.text
            raise status_error(
                self.name,
                response.status_code,
                body,
                retry_after=response.headers.get("retry-after"),
                secrets=(os.environ.get("OLLAMA_API_KEY", ""),),  # read by the SDK itself
            )

    def complete(self, prompt: Prompt) -> LlmReply:
        try:
            response = self._client.chat(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt.system},
                    {"role": "user", "content": prompt.user},
                ],
                format=prompt.schema,
                options={"temperature": 0},
                stream=False,
            )
        except ollama.ResponseError as error:
            raise status_error(self.name, error.status_code, error.error) from error
        except Exception as error:  # httpx's timeouts and transport errors, unreadable answers
            if (failure := failure_from(self.name, error, self.timeout)) is None:
                raise
            raise failure from error
        return LlmReply(
            text=response.message.content or "",
            input_tokens=response.prompt_eval_count,
            output_tokens=response.eval_count,
        )
