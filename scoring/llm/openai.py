"""OpenAI chat completions with strict structured output, through the `openai` SDK.

OPENAI_BASE_URL reaches any OpenAI-compatible server (vLLM, LM Studio, Ollama's /v1); such a
server on this machine or the local network needs no OPENAI_API_KEY.
"""

import ipaddress
from urllib.parse import urlsplit

import openai
from django.conf import settings

from scoring.llm.base import LlmReply, Prompt
from scoring.llm.remote import (
    RemoteProvider,
    connection_error,
    failure_from,
    required_setting,
    status_error,
    timeout_error,
    unexpected_error,
    without_length_limits,
)

# Sent to a local OpenAI-compatible server, which ignores it; the SDK insists on a key.
LOCAL_SERVER_KEY = "not-needed-for-a-local-server"


def _is_local(url: str) -> bool:
    """A loopback or private address, or a single-label host: localhost, a compose service."""
    host = urlsplit(url).hostname or ""
    if host and "." not in host and ":" not in host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


class OpenAIProvider(RemoteProvider):
    name = "openai"

    def __init__(self, *, api_key: str, model: str, base_url: str | None, timeout: float):
        self.model = model
        self.timeout = timeout
        self._api_key = api_key
        # One client per provider, shared by the scoring threads: it is thread-safe (one
        # httpx2 connection pool). Our tenacity layer retries, so the SDK must not.
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )

    @classmethod
    def from_settings(cls) -> "OpenAIProvider":
        base_url = (settings.OPENAI_BASE_URL or "").strip() or None
        if base_url and _is_local(base_url) and not settings.OPENAI_API_KEY.strip():
            api_key = LOCAL_SERVER_KEY
        else:
            api_key = required_setting("OPENAI_API_KEY", cls.name)
        return cls(
            api_key=api_key,
            model=required_setting("OPENAI_MODEL", cls.name),
            base_url=base_url,
            timeout=settings.LLM_TIMEOUT,
        )

    def complete(self, prompt: Prompt) -> LlmReply:
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt.system},
                    {"role": "user", "content": prompt.user},
                ],
                temperature=0,
                response_format={
                    "type": "json_schema",
                    "json_schema": {
                        "name": prompt.schema_name,
                        "schema": without_length_limits(prompt.schema),
                        "strict": True,
                    },
                },
                timeout=self.timeout,
            )
        except openai.APIStatusError as error:
            raise status_error(
                self.name,
                error.status_code,
                error.body if error.body is not None else error.message,
                retry_after=error.response.headers.get("retry-after"),
                secrets=(self._api_key,),
            ) from error
        except openai.APITimeoutError as error:
            raise timeout_error(self.name, self.timeout) from error
        except openai.APIConnectionError as error:
            raise connection_error(self.name, error.__cause__ or error) from error
        except openai.OpenAIError as error:
            raise unexpected_error(self.name, error) from error
        except Exception as error:  # e.g. a 200 whose body is not JSON
            if (failure := failure_from(self.name, error, self.timeout)) is None:
                raise
            raise failure from error
        usage = response.usage
        message = response.choices[0].message if response.choices else None
        return LlmReply(
            text=(message.content if message else None) or "",
            input_tokens=usage.prompt_tokens if usage else None,
            output_tokens=usage.completion_tokens if usage else None,
        )
