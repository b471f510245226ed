"""How the OpenAPI schema (/api/schema/) describes what the code does: API-key authentication,
the intent labels, and the `{"error": ...}` answers every operation can give.

ApiAutoSchema is DRF's DEFAULT_SCHEMA_CLASS (settings), so importing it registers the
drf-spectacular extensions below before any schema is generated.
"""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse

from scoring.models import Intent
from scoring.serializers import ErrorSerializer

BAD_REQUEST = "Invalid input: a field, a filter or the uploaded file."
UNAUTHENTICATED = "No API key, or one that is invalid or revoked."
NOT_FOUND = "No such object in the caller's account, or no such page."
TOO_LARGE = "The request body is over the size limit."
THROTTLED = "Too many requests; retry after the time the Retry-After header gives."
NO_OFFER = "No offer yet, or none with this offer_id in the caller's account."
PROVIDER_DOWN = "The LLM provider failed on every lead it was asked; nothing was written."
INVALID_TASK = (
    "An invalid task (the error names the field), a body that is not a JSON object, or a "
    "bot_id that is no bot of the caller's account."
)
TASK_CONFLICT = "The task_id was graded already, for another bot."
RUN_NOT_RESUMABLE = "The run is done or cancelled: only an unfinished or failed run resumes."


def error_response(description: str) -> OpenApiResponse:
    """An error answer, `{"error": "..."}`, for @extend_schema(responses=...)."""
    return OpenApiResponse(ErrorSerializer, description=description)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "scoring.access.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "isk_<prefix>_<secret>",
            "description": "`Authorization: Bearer isk_...` (`manage.py create_api_token USER`).",
        }


class IntentFieldSchema(OpenApiSerializerFieldExtension):
    """`intent` and `ai_label` share one `Intent` enum rather than two names for it."""

    target_class = "scoring.serializers.IntentField"

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="Intent",
            type=ResolvedComponent.SCHEMA,
            object="Intent",
            schema={"type": "string", "enum": list(Intent.values)},
        )
        auto_schema.registry.register_on_missing(component)
        if self.target.allow_null:
            return {"allOf": [component.ref], "nullable": True}
        return component.ref


class ApiAutoSchema(AutoSchema):
    """Adds to each operation the error answers it can give, each with the `{"error": ...}`
    body, besides those its @extend_schema names: 401 everywhere, 429 where throttled,
    400 and 413 where there is a body, 400 for a list's filters, 404 for an object in the
    path or a list's page."""

    def _error_codes(self) -> dict[int, str]:
        codes = {401: UNAUTHENTICATED}
        has_body = self.method in ("POST", "PUT", "PATCH")
        is_list = self.method == "GET" and self._is_list_view()
        if has_body or is_list:
            codes[400] = BAD_REQUEST
        if "{" in self.path or (is_list and self._get_paginator()):
            codes[404] = NOT_FOUND
        if has_body:
            codes[413] = TOO_LARGE
        if self.view.get_throttles():
            codes[429] = THROTTLED
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in sorted(self._error_codes().items()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(description), str(code), direction=direction
                )
        return dict(sorted(responses.items()))
