"""What the ollama provider puts on the wire (/api/chat with the schema as `format`).
Shared behaviour: test_remote_providers.py."""

from scoring.leads.assessment import LeadProfile, answer_json_schema, build_prompt
from scoring.leads.models import Intent

ML_LEAD = LeadProfile(name="Ada", role="Data Scientist", linkedin_bio="Machine learning lead.")


def test_the_request_is_a_non_streaming_chat_held_to_the_schema(
    configure, llm_stub, offer, settings
):
    provider = configure("ollama")
    provider.assess(lead=ML_LEAD, offer=offer)
    prompt = build_prompt(lead=ML_LEAD, offer=offer)
    (sent,) = llm_stub.requests
    assert sent.path == "/api/chat"
    assert sent.body["model"] == settings.OLLAMA_MODEL
    assert sent.body["stream"] is False
    assert sent.body["messages"] == [
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ]
    assert sent.body["format"] == answer_json_schema()  # length limits included: a grammar
    assert sent.body["options"] == {"temperature": 0}


def test_ollama_host_may_omit_the_scheme(configure, llm_stub, offer):
    provider = configure("ollama", OLLAMA_HOST=llm_stub.url.removeprefix("http://"))
    assert provider.assess(lead=ML_LEAD, offer=offer).label == Intent.HIGH
    assert llm_stub.calls == 1
