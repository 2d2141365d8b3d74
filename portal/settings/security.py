"""Secrets, the hosts the portal answers for, the proxies in front of it, what browsers are told (cookies,
HTTPS, the Content-Security-Policy), and the rate limits of the beacon and the webhooks."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal.settings.environment import DEBUG, env_bool, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set SECRET_KEY or DEBUG=true).")
    SECRET_KEY = "embedded-development-key-not-for-production"

# Encrypts secrets stored in the database (webhook secrets); derived from SECRET_KEY when unset. Set it
# before rotating SECRET_KEY, or stored secrets can no longer be read.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Behind a TLS-terminating proxy in production. TRUSTED_PROXY_COUNT says how many proxies in front of
# the portal append to X-Forwarded-For, so that rate limits count the client's address, not the proxy's.
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Probes inside the deployment speak plain HTTP to the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Signing in with a provider posts a form that redirects to the provider: form-action must allow it.
SIGN_IN_ORIGINS = [
    _origin(url)
    for variable, url in (
        ("GITHUB_CLIENT_ID", env_str("GITHUB_URL") or "https://github.com"),
        ("GITLAB_CLIENT_ID", env_str("GITLAB_URL") or "https://gitlab.com"),
        ("OIDC_CLIENT_ID", env_str("OIDC_SERVER_URL")),
    )
    if env_str(variable) and url
]

# Content-Security-Policy (Django's own): only the portal's own scripts (inline ones carry the request's
# nonce), styles and connections; project logos may come from any https host; nothing may frame us.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Progress meters set their width in a style attribute; no inline <style> element is allowed.
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "https:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF, *SIGN_IN_ORIGINS, *env_list("CSP_FORM_ACTION", [])],
    "frame-ancestors": [CSP.NONE],
}

# Usage beacons and forge webhooks, per client address (a DRF throttle over the cache).
USAGE_BEACON_RATE = env_str("USAGE_BEACON_RATE", "120/minute")
WEBHOOK_RATE = env_str("WEBHOOK_RATE", "1200/minute")
