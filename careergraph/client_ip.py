"""The client's address, the same way for the login lock-out and the API throttle."""

from django.conf import settings


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
