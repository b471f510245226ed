"""Intent providers, selected by LLM_PROVIDER (see `provider_from_settings`).

Each remote provider is one module (gemini, openai, ollama) with a `from_settings()` that
checks its configuration and builds it; the SDK is imported only when it is selected.
"""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from scoring.providers.base import IntentAssessment, IntentProvider, LeadProfile, OfferProfile

__all__ = [
    "IntentAssessment",
    "IntentProvider",
    "LeadProfile",
    "OfferProfile",
    "provider_from_settings",
]

PROVIDERS = {
    "local": "scoring.providers.local.LocalProvider",
    "gemini": "scoring.providers.gemini.GeminiProvider",
    "openai": "scoring.providers.openai.OpenAIProvider",
    "ollama": "scoring.providers.ollama.OllamaProvider",
}
UNKNOWN_PROVIDER_ERROR = "LLM_PROVIDER={name!r} is not available; choose one of: {choices}."


def selected_provider_name() -> str:
    """LLM_PROVIDER if set; otherwise gemini when GEMINI_API_KEY is set, else local."""
    if settings.LLM_PROVIDER:
        return settings.LLM_PROVIDER.strip().lower()
    return "gemini" if settings.GEMINI_API_KEY else "local"


def provider_from_settings() -> IntentProvider:
    """The configured provider; ImproperlyConfigured (at start-up, from AppConfig.ready)
    when it is unknown or lacks its settings, e.g. an API key."""
    name = selected_provider_name()
    if name not in PROVIDERS:
        raise ImproperlyConfigured(
            UNKNOWN_PROVIDER_ERROR.format(name=name, choices=", ".join(sorted(PROVIDERS)))
        )
    module_path, class_name = PROVIDERS[name].rsplit(".", 1)
    return getattr(import_module(module_path), class_name).from_settings()
