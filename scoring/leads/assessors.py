"""The lead assessor LLM_PROVIDER selects: a remote model, or the offline matcher."""

from scoring.leads.assessment import LeadAssessor, RemoteAssessor
from scoring.leads.matcher import LocalAssessor
from scoring.llm import language_model_from_settings


def assessor_from_settings() -> LeadAssessor:
    """The remote assessor for the configured model, or the offline matcher for `local`."""
    language_model = language_model_from_settings()
    return RemoteAssessor(language_model) if language_model else LocalAssessor()
