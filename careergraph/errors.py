"""Errors under /api/ are JSON whatever raised them; elsewhere they are the site's pages.

DRF renders the errors it knows (APIException, Http404, PermissionDenied); this module
covers the rest: an unexpected exception inside a DRF view (api_exception_handler), and
anything Django itself answers outside DRF, such as an unknown /api/ URL or an exception
in a middleware (the handler400/403/404/500 in careergraph/urls.py).
"""

import logging
import sys
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import exception_handler

from . import database_outage

API_PREFIX = "/api/"
SERVER_ERROR_DETAIL = "Server error. It has been logged; please retry later."

logger = logging.getLogger("django.request")


def is_api_request(request):
    return request.path.startswith(API_PREFIX)


def json_error(status, detail, headers=None):
    return JsonResponse({"detail": detail}, status=status, headers=headers)


def api_exception_handler(exc, context):
    """DRF's handler, then a 503 for a database outage and a JSON 500 for anything else."""
    response = exception_handler(exc, context)
    if response is not None:
        return response
    request = context["request"]
    if database_outage.is_database_error(exc):
        return database_outage.unavailable_response(request)
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500}
    )
    detail = f"{SERVER_ERROR_DETAIL} ({exc!r})" if settings.DEBUG else SERVER_ERROR_DETAIL
    response = Response({"detail": detail}, status=HTTPStatus.INTERNAL_SERVER_ERROR)
    response._has_been_logged = True  # Django would log it again, without the traceback
    return response


@csrf_exempt
def api_not_found(request):
    """Any URL under /api/ that no endpoint has: a JSON 404, in debug too.

    A URL missing only its trailing slash is redirected for a read, as APPEND_SLASH would,
    and named in the 404 for a write: a redirect would turn it into a GET without a body."""
    with_slash = f"{request.path}/"
    if not request.path.endswith("/") and _is_endpoint(with_slash):
        if request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{with_slash}?{query}" if query else with_slash)
        return json_error(
            HTTPStatus.NOT_FOUND,
            f"No endpoint at {request.path}; the URL ends with a slash: {with_slash}",
        )
    return json_error(HTTPStatus.NOT_FOUND, "Not found.")


def _is_endpoint(path):
    try:
        return resolve(path).func is not api_not_found
    except Resolver404:
        return False


def bad_request(request, exception):
    if is_api_request(request):
        return json_error(HTTPStatus.BAD_REQUEST, "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return json_error(HTTPStatus.FORBIDDEN, "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return json_error(HTTPStatus.NOT_FOUND, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500, or 503 when the exception being handled is the database being unreachable."""
    if database_outage.is_database_error(sys.exc_info()[1]):
        return database_outage.unavailable_response(request)
    if is_api_request(request):
        return json_error(HTTPStatus.INTERNAL_SERVER_ERROR, SERVER_ERROR_DETAIL)
    # Rendered without a database or request context processors, with the CSP nonce for
    # the page's own inline style.
    template = loader.get_template("500.html")
    html = template.render({"csp_nonce": getattr(request, "csp_nonce", "")})
    return HttpResponseServerError(html)
