"""How the OpenAPI schema (/api/schema/) describes the `{"error": ...}` answers every
operation can give, and the Idempotency-Key header where an operation takes one.

ApiAutoSchema is DRF's DEFAULT_SCHEMA_CLASS (settings). Each app describes its own types
(drf-spectacular extensions) next to its API.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from scoring.core.idempotency import (
    IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    REPLAYED_HEADER,
)

BAD_REQUEST = "Invalid input: a field, a filter or the uploaded file."
UNAUTHENTICATED = "No API key, or one that is invalid or revoked."
NOT_FOUND = "No such object in the caller's account, or no such page."
TOO_LARGE = "The request body is over the size limit."
THROTTLED = "Too many requests; retry after the time the Retry-After header gives."
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


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer; invalid input also gets DRF's detail per field."""

    error = serializers.CharField(help_text="What went wrong, for a person to read.")
    fields = serializers.JSONField(
        required=False, help_text="Invalid input only: what is wrong with each field."
    )


def error_response(description: str) -> OpenApiResponse:
    """An error answer, `{"error": "..."}`, for @extend_schema(responses=...)."""
    return OpenApiResponse(ErrorSerializer, description=description)


class ApiAutoSchema(AutoSchema):
    """Adds to each operation the error answers it can give, each with the `{"error": ...}`
    body, besides those its @extend_schema names: 401 everywhere, 429 where throttled,
    400 and 413 where there is a body, 400 for a list's filters, 404 for an object in the
    path or a list's page; and, where it takes an Idempotency-Key, the header, 409 and 422."""

    def _is_idempotent(self) -> bool:
        """The operation takes an Idempotency-Key (an `idempotent` view)."""
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
