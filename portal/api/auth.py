from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from portal.services import api_token_user


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <personal token>`; a person makes and revokes tokens on their profile."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeError:
            raise AuthenticationFailed("A token is made of letters, digits, “-” and “_”.") from None
        found = api_token_user(token=token)
        if found is None:
            raise AuthenticationFailed("This token is unknown or has been revoked.")
        return found

    def authenticate_header(self, request) -> str:
        # A WWW-Authenticate header makes DRF answer 401 (not 403) when no credentials came.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.auth.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on your profile (Profile → API tokens).",
        }
