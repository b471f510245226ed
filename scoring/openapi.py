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
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from scoring.idempotency import IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER
from scoring.models import Intent
from scoring.serializers import ErrorSerializer
from scoring.services.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH

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
IDEMPOTENCY_IN_PROGRESS = "A request with the same Idempotency-Key is still in progress."
IDEMPOTENCY_KEY_REUSED = (
    "The Idempotency-Key was first used for another endpoint, or with other parameters or "
    "another file."
)
IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_KEY_HEADER,
    type={"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key you choose (a UUID), one per request. The same request sent again with it "
        "within IDEMPOTENCY_TTL (24 h) gets the first answer again (status, body, Location, "
        f"and `{REPLAYED_HEADER}: true`) and nothing is done twice. Only successful answers "
        "are kept: a request that failed may be sent again, fixed, with its key. 409: a "
        "request with the key is still in progress; 422: the key was used for another "
        "request. A key belongs to the caller's account."
    ),
)


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
    path or a list's page; and, where it takes an Idempotency-Key, the header, 409 and 422."""

    def _is_idempotent(self) -> bool:
        """The operation takes an Idempotency-Key (scoring.idempotency.idempotent)."""
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(getattr(self.view, name, None), "idempotent", False)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_idempotent():
            return [*parameters, IDEMPOTENCY_KEY_PARAMETER]
        return parameters

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
        if self._is_idempotent():
            codes[409] = IDEMPOTENCY_IN_PROGRESS
            codes[422] = IDEMPOTENCY_KEY_REUSED
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in sorted(self._error_codes().items()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(description), str(code), direction=direction
                )
        return dict(sorted(responses.items()))
