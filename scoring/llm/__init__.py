"""Language models behind one small interface (`base.LanguageModel`), selected by LLM_PROVIDER.

Each remote provider is one module (gemini, openai, ollama) with a `from_settings()` that
checks its configuration and builds it; the SDK is imported only when it is selected.
`local` selects no model: each domain then answers with its own offline rules.
"""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from scoring.llm.base import LanguageModel

LOCAL = "local"
PROVIDERS = {
    LOCAL: None,
    "gemini": "scoring.llm.gemini.GeminiProvider",
    "openai": "scoring.llm.openai.OpenAIProvider",
    "ollama": "scoring.llm.ollama.OllamaProvider",
}
UNKNOWN_PROVIDER_ERROR = "LLM_PROVIDER={name!r} is not available; choose one of: {choices}."


def selected_provider_name() -> str:
    """LLM_PROVIDER if set; otherwise gemini when GEMINI_API_KEY is set, else local."""
    if settings.LLM_PROVIDER:
        return settings.LLM_PROVIDER.strip().lower()
    return "gemini" if settings.GEMINI_API_KEY else LOCAL


def language_model_from_settings() -> LanguageModel | None:
    """The configured remote model, or None for `local`; ImproperlyConfigured (at start-up,
    from AppConfig.ready) when the name is unknown or the provider lacks its settings."""
    name = selected_provider_name()
    if name not in PROVIDERS:
        raise ImproperlyConfigured(
            UNKNOWN_PROVIDER_ERROR.format(name=name, choices=", ".join(sorted(PROVIDERS)))
        )
    if PROVIDERS[name] is None:
        return None
    module_path, class_name = PROVIDERS[name].rsplit(".", 1)
    return getattr(import_module(module_path), class_name).from_settings()
