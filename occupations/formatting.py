"""Absolute URLs on the public origin: one rule for pages, the API, feeds and sitemaps."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def absolute_url(request, path):
    """`path` on settings.SITE_URL when set (host-independent), else on the request's host."""
    if settings.SITE_URL:
        return f"{settings.SITE_URL}{path}"
    if request is None:  # rendered outside a request: the best we can do is the path
        return path
    return request.build_absolute_uri(path)


def on_public_origin(request, url):
    """An absolute URL built from the request (e.g. DRF's page links) moved onto SITE_URL."""
    if not url or not settings.SITE_URL:
        return url
    parts = urlsplit(url)
    return absolute_url(request, urlunsplit(("", "", parts.path, parts.query, parts.fragment)))
