"""What the gemini provider puts on the wire (generateContent with a JSON schema).
Shared behaviour: test_remote_providers.py."""

from scoring.leads.assessment import LeadProfile, answer_json_schema, build_prompt
from scoring.llm.remote import without_length_limits

ML_LEAD = LeadProfile(name="Ada", role="Data Scientist", linkedin_bio="Machine learning lead.")


def test_the_request_is_a_json_schema_generate_content(configure, llm_stub, offer, settings):
    provider = configure("gemini")
    provider.assess(lead=ML_LEAD, offer=offer)
    prompt = build_prompt(lead=ML_LEAD, offer=offer)
    (sent,) = llm_stub.requests
    # google-genai 3.x speaks v1 by default (v1beta only with GOOGLE_GENAI_API_VERSION=beta).
    assert sent.path == f"/v1/models/{settings.GEMINI_MODEL}:generateContent"
    assert sent.body["systemInstruction"]["parts"] == [{"text": prompt.system}]
    assert sent.body["contents"] == [{"role": "user", "parts": [{"text": prompt.user}]}]
    assert sent.body["generationConfig"] == {
        "temperature": 0,
        "responseMimeType": "application/json",
        "responseJsonSchema": without_length_limits(answer_json_schema()),
    }
    assert sent.headers["x-goog-api-key"] == settings.GEMINI_API_KEY
    assert "authorization" not in sent.headers
