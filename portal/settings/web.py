"""The Django site itself: its address, the installed apps, the middleware, URLs and templates, language
and time, static and media files, and logging."""

from pathlib import Path

from portal.settings.environment import BASE_DIR, DEBUG, TESTING, env_bool, env_str

PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.gitlab",
    "allauth.socialaccount.providers.openid_connect",
    "portal",
    "catalog",
    "community",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL character in the address is a 400 before any view passes it on to the database.
    "portal.middleware.NulCharacterMiddleware",
    # A database that cannot be reached answers 503 with a "try again" page, not 500.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # PORTAL_SIGN_IN_REQUIRED: anonymous visitors are sent to the sign-in page (after authentication).
    "portal.middleware.SignInRequiredMiddleware",
    # Page views and searches (after authentication: a signed-in person is counted by their account).
    "metrics.middleware.UsageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
# USAGE_PAGE_VIEWS=false: the portal does not record the page views and searches it serves (usage
# reported through the API, the beacon and adoptions still count).
if not env_bool("USAGE_PAGE_VIEWS", default=True):
    MIDDLEWARE.remove("metrics.middleware.UsageMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.context_processors.portal",
            ],
            # One way of writing dates on every page (catalog/dates.py), without a {% load %} in each.
            "builtins": ["catalog.templatetags.dates"],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic puts the static files (with DEBUG off, whitenoise serves them from there).
STATIC_ROOT = (
    Path(env_str("PORTAL_STATIC_ROOT")) if env_str("PORTAL_STATIC_ROOT") else BASE_DIR / "var" / "staticfiles"
)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = (
    Path(env_str("PORTAL_MEDIA_ROOT")) if env_str("PORTAL_MEDIA_ROOT") else BASE_DIR / "var" / "media"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
