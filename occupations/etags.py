"""Strong ETags for API documents, and the If-Match / If-None-Match comparisons (RFC 9110)."""

import hashlib
import json

from django.utils.http import parse_etags
from rest_framework.utils.encoders import JSONEncoder


def document_etag(document) -> str:
    """A strong validator: the hash of the serialized document, so any change to the profile
    or to one of its rows changes it."""
    payload = json.dumps(document, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return f'"{hashlib.sha256(payload.encode()).hexdigest()}"'


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
