"""Intent providers, selected by LLM_PROVIDER (see `provider_from_settings`)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from scoring.providers.base import IntentAssessment, IntentProvider, LeadProfile, OfferProfile
from scoring.providers.local import LocalProvider

__all__ = [
    "IntentAssessment",
    "IntentProvider",
    "LeadProfile",
    "OfferProfile",
    "provider_from_settings",
]

# Remote providers (gemini, openai, ollama) join this table as their modules land.
PROVIDERS = {"local": LocalProvider}
UNKNOWN_PROVIDER_ERROR = "LLM_PROVIDER={name!r} is not available; choose one of: {choices}."


def selected_provider_name() -> str:
    """LLM_PROVIDER if set; otherwise gemini when GEMINI_API_KEY is set, else local."""
    if settings.LLM_PROVIDER:
        return settings.LLM_PROVIDER.strip().lower()
    return "gemini" if settings.GEMINI_API_KEY else "local"


def provider_from_settings() -> IntentProvider:
    name = selected_provider_name()
    if name not in PROVIDERS:
        raise ImproperlyConfigured(
            UNKNOWN_PROVIDER_ERROR.format(name=name, choices=", ".join(sorted(PROVIDERS)))
        )
    return PROVIDERS[name]()
