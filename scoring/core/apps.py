from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

CACHE_UNREACHABLE_ERROR = (
    "The cache at CACHE_URL ({location}) does not answer: {error}. Throttles count there; "
    "start it, or unset CACHE_URL for per-process counts."
)


class CoreConfig(AppConfig):
    """What every app shares (errors, API plumbing, text matching); no models. An app so
    that its templates (the browsable API's page) are found and the cache is checked."""

    name = "scoring.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
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
