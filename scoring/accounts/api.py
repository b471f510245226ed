"""What every app's REST API shares about accounts: views scoped to the caller's account,
filter choices from it, and how the schema describes API-key authentication.

Kept apart from access.py: DRF imports the authentication classes while its own views
module loads, so access.py must not import DRF's views."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import viewsets

from scoring.accounts.access import request_account


def callers_choices(selector):
    """A FilterSet's `queryset` callable: the selector's rows in the caller's account, so
    another account's id does not validate (none while the schema is generated)."""

    def choices(request):
        if request is None:
            return selector(account=None).none()
        return selector(account=request_account(request))

    return choices


class AccountScopedViewSet(viewsets.GenericViewSet):
    """Every object comes from the caller's account; `selector` names the read that does it,
    so another account's object is a 404."""

    selector = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return self.get_serializer_class().Meta.model.objects.none()
        return self.selector(account=request_account(self.request))


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "scoring.accounts.access.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "isk_<prefix>_<secret>",
            "description": "`Authorization: Bearer isk_...` (`manage.py create_api_token USER`).",
        }
