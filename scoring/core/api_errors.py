"""Every error leaves the API as JSON `{"error": "..."}`; never a stack trace.

Validation errors also keep DRF's per-field detail under "fields".
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from scoring.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal server error."
NOT_FOUND_ERROR = "Not found."
REQUEST_BODY_TOO_LARGE_ERROR = "The request body is larger than the {limit} KB limit."
TOO_MANY_FIELDS_ERROR = "The request has too many form fields or files."


def _flatten(detail, prefix="") -> list[str]:
    if isinstance(detail, dict):
        # An object's own errors ("Expected a dictionary") belong to the object's name.
        return [
            m
            for key, value in detail.items()
            for m in _flatten(
                value, prefix if key == api_settings.NON_FIELD_ERRORS_KEY else f"{prefix}{key}."
            )
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [f"{prefix.rstrip('.')}: {item}" if prefix else str(item) for item in detail]
        return [m for i, item in enumerate(detail) if item for m in _flatten(item, f"{prefix}{i}.")]
    return [f"{prefix.rstrip('.')}: {detail}" if prefix else str(detail)]


def validation_error_body(detail) -> dict:
    message = " ".join(_flatten(detail))
    return {"error": message, "fields": detail}


def json_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response({"error": exc.message}, status=exc.status_code)
    # Django's request limits (DATA_UPLOAD_MAX_*), raised while DRF reads the body.
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response(
            {"error": REQUEST_BODY_TOO_LARGE_ERROR.format(limit=limit)},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return Response({"error": TOO_MANY_FIELDS_ERROR}, status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
        return Response({"error": INTERNAL_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, ValidationError):
        response.data = validation_error_body(response.data)
    else:
        # DRF has already turned Django's Http404 and PermissionDenied into {"detail": ...}.
        response.data = {"error": str(response.data.get("detail", response.data))}
    return response


def json_not_found(request, exception=None):
    return JsonResponse({"error": NOT_FOUND_ERROR}, status=404)


def json_server_error(request):
    return JsonResponse({"error": INTERNAL_ERROR}, status=500)
