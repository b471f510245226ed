from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

CACHE_UNREACHABLE_ERROR = (
    "The cache at CACHE_URL ({location}) does not answer: {error}. Throttles count there; "
    "start it, or unset CACHE_URL for per-process counts."
)


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = "Lead scoring"

    def ready(self):
        # Fail at start-up, not on the first lead, when LLM_PROVIDER names no provider.
        from scoring.providers import provider_from_settings

        provider_from_settings()
        _check_shared_cache()


def _check_shared_cache() -> None:
    """A cache on a server (Redis, Memcached) must answer now: it is where every worker
    counts its throttles, and a cache that fails fails every throttled request."""
    from django.conf import settings
    from django.core.cache import cache

    config = settings.CACHES["default"]
    if "locmem" in config["BACKEND"] or "dummy" in config["BACKEND"]:
        return
    try:
        cache.get("intentscore:start-up-check")
    except Exception as exc:
        raise ImproperlyConfigured(
            CACHE_UNREACHABLE_ERROR.format(
                location=config.get("LOCATION", ""), error=str(exc).rstrip(".")
            )
        ) from exc
