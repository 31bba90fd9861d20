"""Brotli or gzip for HTML, JSON and XML responses, whichever the client prefers.

BREACH (https://www.breachattack.com/) recovers a secret from the size of compressed
responses that reflect attacker-chosen text next to it. The mitigation here is to leave
uncompressed every response that can carry a secret: those that use a CSRF token or set a
cookie, and those sent to a signed-in client (session cookie or Authorization header). What
is compressed is what anyone may read anyway.
"""

import gzip

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

COMPRESSIBLE_TYPES = (
    "text/html",
    "text/plain",
    "text/xml",
    "application/json",
    "application/xml",
    "application/rss+xml",
    "application/vnd.oai.openapi",
)
MIN_SIZE = 200  # below this the headers outweigh the saving
BROTLI_QUALITY = 5  # per response, at request time: fast settings, most of the gain
GZIP_LEVEL = 6
ACCEPT_ENCODING_ITEM = _lazy_re_compile(r"\s*([\w*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")


def negotiated_encoding(request):
    """ "br", "gzip" or "" for this request's Accept-Encoding (q=0 means "not this one")."""
    accepted = {}
    for item in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        match = ACCEPT_ENCODING_ITEM.fullmatch(item)
        if match:
            try:
                quality = float(match.group(2) or 1)
            except ValueError:
                quality = 0
            accepted[match.group(1).lower()] = quality
    for encoding in ("br", "gzip"):
        if accepted.get(encoding, accepted.get("*", 0)) > 0:
            return encoding
    return ""


def may_carry_secrets(request, response):
    return (
        bool(response.cookies)
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
    )


class CompressionMiddleware:
    """Compresses public responses with Brotli or gzip (see the module docstring on BREACH)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
            or len(response.content) < MIN_SIZE
        ):
            return response
        # Whether or not this one is compressed, the same URL may be for another client.
        patch_vary_headers(response, ["Accept-Encoding"])
        encoding = negotiated_encoding(request)
        if not encoding or may_carry_secrets(request, response):
            return response
        if encoding == "br":
            body = brotli.compress(response.content, quality=BROTLI_QUALITY)
        else:
            body = gzip.compress(response.content, compresslevel=GZIP_LEVEL, mtime=0)
        if len(body) >= len(response.content):
            return response
        response.content = body
        response["Content-Length"] = str(len(body))
        response["Content-Encoding"] = encoding
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            # The bytes differ from the uncompressed ones (RFC 9110, 8.8.3: a weak tag).
            response["ETag"] = "W/" + etag
        return response
