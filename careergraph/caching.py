"""Whole-response cache for anonymous readers, exact on every app node.

Keys carry the content version (`occupations.changes.content_version`), which every write
moves after it commits, so the next request after any write on any node misses and renders
afresh; nothing is ever invalidated by hand. Only anonymous GET/HEAD requests (no session
cookie, no Authorization header) are served from or stored in the cache, and only 200
responses that set no cookie and use no CSRF token: staff, editors, drafts and previews
never reach it. Cache errors are misses (the cache may be a Redis that is down).
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from occupations.changes import content_state

from .compression import negotiated_encoding

logger = logging.getLogger(__name__)

NEVER_CACHED_PATHS = ("/admin/",)


def is_anonymous_read(request):
    """A GET/HEAD from someone who is not signed in, by session or by API token."""
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith(NEVER_CACHED_PATHS)
    )


def holds_secrets(request, response):
    """The response sets a cookie or carries a CSRF token: it belongs to this client only."""
    return bool(response.cookies) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)


def is_shareable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not holds_secrets(request, response)
        and not _says_private(response)
    )


def _says_private(response):
    directives = response.get("Cache-Control", "").lower()
    return any(word in directives for word in ("private", "no-store", "no-cache"))


def cache_key(request, version):
    # The database name keeps sites (and parallel test databases) on one Redis apart.
    parts = [
        connection.settings_dict["NAME"],
        request.get_full_path(),
        request.META.get("HTTP_ACCEPT", ""),
        negotiated_encoding(request),
    ]
    digest = hashlib.sha256("\n".join(str(part) for part in parts).encode()).hexdigest()
    return f"page:{version}:{digest}"


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception:  # a cache that is down is a miss, never an error page
        logger.warning("Page cache unavailable (get)", exc_info=True)
        return None


def _cache_set(key, value, timeout):
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("Page cache unavailable (set)", exc_info=True)


def mark_public(response, changed_at):
    """Headers that let browsers revalidate and a CDN hold the page for a short while."""
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PAGE_CACHE_S_MAXAGE,
        stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
    )
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    if changed_at and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(_seconds(changed_at))
    patch_vary_headers(response, ["Accept", "Accept-Encoding"])


def flatten(response):
    """What to store: status, headers and bytes (not the view's response object, whose
    pickle carries the view's data and is slow to load)."""
    return (response.status_code, list(response.items()), response.content)


def rebuild(stored):
    status, headers, content = stored
    return HttpResponse(content, status=status, headers=dict(headers))


def _seconds(moment):
    """HTTP dates have whole seconds; compare in whole seconds, or nothing ever matches."""
    return int(moment.timestamp()) if moment else None


def mark_private(response):
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_store=True)


class PublicCacheMiddleware:
    """Serves anonymous reads from the cache; marks everything else private."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not is_anonymous_read(request):
            response = self.get_response(request)
            if request.method in {"GET", "HEAD"}:
                mark_private(response)
            return response
        version, changed_at = content_state()
        key = cache_key(request, version)
        stored = _cache_get(key)
        if stored is not None:
            cached = rebuild(stored)
            return get_conditional_response(
                request,
                etag=cached["ETag"],
                last_modified=_seconds(changed_at),
                response=cached,
            )
        response = self.get_response(request)
        if not is_shareable(request, response):
            mark_private(response)
            return response
        mark_public(response, changed_at)
        if request.method == "GET":  # a server may have dropped a HEAD response's body
            _cache_set(key, flatten(response), settings.PAGE_CACHE_SECONDS)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=_seconds(changed_at),
            response=response,
        )
