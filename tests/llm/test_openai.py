"""What the openai provider puts on the wire (chat completions, strict JSON schema), and
when it needs OPENAI_API_KEY. Shared behaviour: test_remote_providers.py."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from scoring.leads.assessment import (
    LeadProfile,
    answer_json_schema,
    build_prompt,
)
from scoring.leads.assessors import assessor_from_settings
from scoring.llm.openai import LOCAL_SERVER_KEY
from scoring.llm.remote import MISSING_SETTING_ERROR, without_length_limits

ML_LEAD = LeadProfile(name="Ada", role="Data Scientist", linkedin_bio="Machine learning lead.")


def test_the_request_is_a_strict_structured_chat_completion(configure, llm_stub, offer, settings):
    provider = configure("openai")
    provider.assess(lead=ML_LEAD, offer=offer)
    prompt = build_prompt(lead=ML_LEAD, offer=offer)
    (sent,) = llm_stub.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == settings.OPENAI_MODEL
    assert sent.body["messages"] == [
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ]
    assert sent.body["temperature"] == 0
    assert sent.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "lead_intent",
            "schema": without_length_limits(answer_json_schema()),
            "strict": True,
        },
    }
    assert sent.headers["authorization"] == f"Bearer {settings.OPENAI_API_KEY}"
    assert sent.headers["x-stainless-retry-count"] == "0"


def test_a_local_server_needs_no_key(configure, llm_stub, offer):
    provider = configure("openai", OPENAI_API_KEY="")
    provider.assess(lead=ML_LEAD, offer=offer)
    assert llm_stub.requests[0].headers["authorization"] == f"Bearer {LOCAL_SERVER_KEY}"


@pytest.mark.parametrize(
    "base_url",
    ["http://localhost:8000/v1", "http://192.168.1.20:8000/v1", "http://vllm:8000/v1"],
)
def test_servers_on_this_machine_or_network_count_as_local(settings, base_url):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = base_url
    assert assessor_from_settings().name == "openai"


@pytest.mark.parametrize(
    "base_url", ["", "https://api.openai.com/v1", "https://llm.example.com/v1"]
)
def test_a_remote_server_needs_a_key(settings, base_url):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = base_url
    with pytest.raises(ImproperlyConfigured) as error:
        assessor_from_settings()
    assert str(error.value) == MISSING_SETTING_ERROR.format(
        setting="OPENAI_API_KEY", provider="openai"
    )
