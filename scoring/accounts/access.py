"""Who is calling, what they may do, and which account's data they see.

API clients send `Authorization: Bearer isk_<prefix>_<secret>` (or `Token ...`); the browsable
API and the admin use the session. With ALLOW_ANONYMOUS_DEMO=true (the local demo only;
production settings refuse it) anonymous requests work in the default account.
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling

from scoring.accounts.models import Account, ApiKey
from scoring.accounts.services import (
    API_KEY_PREFIX,
    account_for_user,
    api_key_hash,
    default_account,
)

INVALID_API_KEY_ERROR = "Invalid or revoked API key."
# last_used_at is a hint for people, not an audit trail: one write a minute per key is enough.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY_ERROR)
        raw_key = parts[1].decode(errors="replace")
        key_parts = raw_key.split("_", 2)
        if len(key_parts) != 3 or key_parts[0] != API_KEY_PREFIX:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY_ERROR)
        # The user's account with the key: request_account asks for it next.
        api_key = (
            ApiKey.objects.select_related("user__membership__account")
            .filter(prefix=key_parts[1], revoked_at__isnull=True)
            .first()
        )
        if (
            api_key is None
            or not api_key.user.is_active
            or not hmac.compare_digest(api_key.key_hash, api_key_hash(raw_key))
        ):
            raise exceptions.AuthenticationFailed(INVALID_API_KEY_ERROR)
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return api_key.user, api_key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to unauthenticated requests.
        return 'Bearer realm="IntentScore"'


class AuthenticatedOrDemo(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) or (
            settings.ALLOW_ANONYMOUS_DEMO
        )


class DocsPermission(AuthenticatedOrDemo):
    """The API's schema and docs page: for anyone with API_DOCS_PUBLIC, else like the API."""

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or super().has_permission(request, view)


class UploadRateThrottle(throttling.UserRateThrottle):
    scope = "uploads"


class ScoringRateThrottle(throttling.UserRateThrottle):
    scope = "scoring"


def _api_key_account(request) -> Account | None:
    """The account read with the request's API key (ApiKeyAuthentication's one query)."""
    if isinstance(request.auth, ApiKey):
        membership = getattr(request.auth.user, "membership", None)
        return membership.account if membership else None
    return None


def request_account(request) -> Account:
    """The account whose data this request sees: the user's, or the default in demo mode."""
    if not hasattr(request, "_intentscore_account"):
        user = request.user
        if user and user.is_authenticated:
            request._intentscore_account = _api_key_account(request) or account_for_user(user=user)
        elif settings.ALLOW_ANONYMOUS_DEMO:
            request._intentscore_account = default_account()
        else:  # permission classes stop this first; a guard, not a path
            raise exceptions.NotAuthenticated()
    return request._intentscore_account
