"""Strong ETags for API documents, and the If-Match / If-None-Match comparisons (RFC 9110)."""

import hashlib

from django.utils.http import parse_etags


def occupation_etag(occupation, *, drafts: bool) -> str:
    """A strong validator of a profile's document, whatever host it was read through.

    Every write goes through `changes.content_changed`, which moves `updated_at` of the
    profile and of every profile whose document shows it, so the profile's id and
    `updated_at` identify its content; `drafts` tells the editors' representation (which may
    show links to drafts) from the public one."""
    version = f"{occupation.pk}:{occupation.updated_at.isoformat()}:{'e' if drafts else 'p'}"
    return f'"{hashlib.sha256(version.encode()).hexdigest()[:32]}"'


def _weak(etag):
    return etag.removeprefix("W/")


def if_none_match_hits(header: str | None, etag: str) -> bool:
    """True when a GET may answer 304 (weak comparison, section 13.1.2)."""
    if not header:
        return False
    etags = parse_etags(header)
    return "*" in etags or _weak(etag) in {_weak(tag) for tag in etags}


def if_match_fails(header: str | None, etag: str) -> bool:
    """True when a write must answer 412 (strong comparison, section 13.1.1).

    No header, or one that names no valid entity tag (e.g. empty), means no precondition,
    as in Django's own conditional-request handling (`django.utils.cache`).
    """
    etags = parse_etags(header or "")
    if not etags:
        return False
    return not ("*" in etags or etag in etags)
