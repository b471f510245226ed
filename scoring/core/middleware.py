from django.conf import settings
from django.http import JsonResponse

REQUEST_TOO_LARGE_ERROR = "The request body is larger than the {limit} MB limit."
# Multipart framing and the other form fields around an upload.
_MULTIPART_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse an oversized body from its Content-Length, before Django reads it to disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024 + _MULTIPART_OVERHEAD_BYTES
        if length > limit:
            return JsonResponse(
                {"error": REQUEST_TOO_LARGE_ERROR.format(limit=settings.MAX_UPLOAD_MB)},
                status=413,
            )
        return self.get_response(request)
