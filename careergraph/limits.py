"""Request size limits on the API, answered in JSON before any view reads the body."""

from http import HTTPStatus

from django.conf import settings

from .errors import is_api_request, json_error


class ApiBodySizeLimitMiddleware:
    """413 for an API request whose declared body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.

    DRF's parsers read the body as a stream, which Django's own size check (on
    `request.body` and `request.POST`) never sees."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return json_error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number.")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if length > limit:
                return json_error(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"The body is {length} bytes; the limit is {limit} bytes.",
                )
        return self.get_response(request)
