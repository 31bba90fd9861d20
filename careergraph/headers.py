"""Response headers that Django's SecurityMiddleware does not set."""


class IsolationHeadersMiddleware:
    """Cross-Origin-Resource-Policy: other sites may not embed our pages, images or files.

    CORS reads of the API are unaffected: the policy applies to no-cors requests only
    (https://developer.mozilla.org/en-US/docs/Web/HTTP/Cross-Origin_Resource_Policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
