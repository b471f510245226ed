"""Google Gemini with a JSON-schema constrained answer, through the `google-genai` SDK."""

from django.conf import settings
from google import genai
from google.genai import errors, types

from scoring.llm.base import LlmReply, Prompt
from scoring.llm.remote import (
    RemoteProvider,
    failure_from,
    required_setting,
    status_error,
    without_length_limits,
)


class GeminiProvider(RemoteProvider):
    name = "gemini"

    def __init__(self, *, api_key: str, model: str, base_url: str | None, timeout: float):
        self.model = model
        self.timeout = timeout
        self._api_key = api_key
        # One client per provider, shared by the scoring threads (one thread-safe httpx2
        # pool). No retry_options: the SDK then makes a single attempt; tenacity retries.
        # HttpOptions.timeout is in milliseconds.
        self._client = genai.Client(
            api_key=api_key,
            vertexai=False,
            http_options=types.HttpOptions(
                base_url=base_url, timeout=max(1, round(timeout * 1000)), retry_options=None
            ),
        )

    @classmethod
    def from_settings(cls) -> "GeminiProvider":
        return cls(
            api_key=required_setting("GEMINI_API_KEY", cls.name),
            model=required_setting("GEMINI_MODEL", cls.name),
            base_url=(settings.GEMINI_BASE_URL or "").strip() or None,
            timeout=settings.LLM_TIMEOUT,
        )

    def complete(self, prompt: Prompt) -> LlmReply:
        config = types.GenerateContentConfig(
            system_instruction=prompt.system,
            temperature=0,
            response_mime_type="application/json",
            response_json_schema=without_length_limits(prompt.schema),
            # One call: no follow-ups for a CONTINUATION finish, no function calling.
            automatic_continuation=False,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=prompt.user, config=config
            )
        except errors.APIError as error:
            headers = getattr(error.response, "headers", None) or {}
            raise status_error(
                self.name,
                error.code,
                error.message or error.details,
                retry_after=headers.get("retry-after"),
                secrets=(self._api_key,),
            ) from error
        except Exception as error:  # httpx2's timeouts and transport errors, unreadable answers
            if (failure := failure_from(self.name, error, self.timeout)) is None:
                raise
            raise failure from error
        usage = response.usage_metadata
        return LlmReply(
            text=response.text or "",
            input_tokens=usage.prompt_token_count if usage else None,
            output_tokens=usage.candidates_token_count if usage else None,
        )
