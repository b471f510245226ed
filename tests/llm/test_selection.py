import pytest
from django.core.exceptions import ImproperlyConfigured

from scoring.leads.assessment import LeadProfile
from scoring.leads.assessors import assessor_from_settings
from scoring.leads.models import Intent
from scoring.llm import UNKNOWN_PROVIDER_ERROR


def test_local_is_the_default_without_configuration(settings):
    settings.LLM_PROVIDER = ""
    settings.GEMINI_API_KEY = ""
    provider = assessor_from_settings()
    assert (provider.name, provider.model) == ("local", "local-keyword-v2")


def test_llm_provider_is_case_insensitive(settings):
    settings.LLM_PROVIDER = " Local "
    assert assessor_from_settings().name == "local"


def test_an_unknown_provider_fails_clearly(settings):
    settings.LLM_PROVIDER = "nonesuch"
    message = UNKNOWN_PROVIDER_ERROR.format(
        name="nonesuch", choices="gemini, local, ollama, openai"
    )
    with pytest.raises(ImproperlyConfigured) as error:
        assessor_from_settings()
    assert str(error.value) == message


def test_a_gemini_key_selects_gemini_when_no_provider_is_named(settings, llm_stub, offer):
    settings.LLM_PROVIDER = ""
    settings.GEMINI_API_KEY = "key"
    settings.GEMINI_BASE_URL = llm_stub.url
    provider = assessor_from_settings()
    assert (provider.name, provider.model) == ("gemini", settings.GEMINI_MODEL)
    lead = LeadProfile(name="Ada", linkedin_bio="Machine learning lead.")
    assert provider.assess(lead=lead, offer=offer).label == Intent.HIGH
    assert llm_stub.requests[0].headers["x-goog-api-key"] == "key"
