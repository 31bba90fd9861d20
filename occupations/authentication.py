"""API authentication: the user's token as `Token <key>` (DRF's scheme) or `Bearer <key>`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """The same token under the `Bearer` scheme (RFC 6750), which most HTTP clients and
    generated API clients send; without it such a request would silently read as anonymous."""

    keyword = "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"
    priority = 1  # before drf-spectacular's own scheme for TokenAuthentication's subclasses

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The same token as `tokenAuth`, sent as `Authorization: Bearer <key>`.",
        }
