"""Who is logging in, as the login lock-out and the API throttle count them."""

from django.conf import settings

# django-axes stores the username in a 255-character column (PostgreSQL refuses longer).
USERNAME_MAX_LENGTH = 255


def client_ip(request):
    """REMOTE_ADDR, or the address the outermost trusted proxy saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    N trusted proxies the client is the N-th entry from the right; anything to the left of
    it was written by the client and is ignored. This is DRF's rule for NUM_PROXIES
    (rest_framework.throttling.BaseThrottle.get_ident), which uses the same setting."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote_addr


def login_username(request, credentials):
    """The username a failed login is counted under, storable whatever was typed: NUL bytes
    spelled out, cut to the column's length (longer guesses share a prefix, and a lock)."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return None
    return username.replace("\x00", "0x00")[:USERNAME_MAX_LENGTH]
