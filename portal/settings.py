"""Settings for the InnerSource portal, read from the environment.

With no variables set the portal runs embedded: SQLite, local-memory cache, Celery tasks inline.
Production differs only by environment values (DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ...).
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=not env_str("SECRET_KEY"))
TESTING = "pytest" in sys.modules or env_bool("PORTAL_TESTING", default=False)

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

# Database: DATABASE_URL (postgres://... via psycopg 3, or sqlite:///path); embedded SQLite otherwise.
# SQLite serves a small team's simultaneous writes (runserver's threads) with: WAL, so that readers never
# wait for the writer; a busy timeout (seconds), so that a writer waits for the one before it instead
# of failing; and immediate transactions, so that a transaction that reads before it writes takes the
# write lock when it begins: upgrading a read transaction when another writer got in first fails with
# "database is locked" at once, whatever the timeout.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite:")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL or a sqlite:/// path.")
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "portal.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and cache. Without it: local-memory cache and inline tasks.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Failing soft (portal/cache.py), with short timeouts: a Redis that is down or hangs costs a request
    # a fraction of a second, never the page.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "refresh-activity-scores": {"task": "catalog.tasks.scores_refresh_all", "schedule": 24 * 60 * 60},
    # Between these, a snapshot is rebuilt when enough vectors changed since (catalog.tasks).
    "meaning-index": {"task": "catalog.tasks.meaning_index_build_task", "schedule": 24 * 60 * 60},
    # The radar of re-built wheels in full (between full runs, changed projects update it incrementally).
    "duplicates-radar": {"task": "catalog.tasks.duplicates_radar_task", "schedule": 24 * 60 * 60},
    "sync-repositories-incremental": {"task": "metrics.tasks.sync_all", "schedule": 60 * 60},
    "sync-repositories-full": {
        "task": "metrics.tasks.sync_all",
        "schedule": 24 * 60 * 60,
        "kwargs": {"full": True},
    },
    "evaluate-journeys": {"task": "community.tasks.evaluate_everyone", "schedule": 24 * 60 * 60},
    # Adoptions found in code, matched again for assets given a package URL since the last sync.
    "detect-adoptions": {"task": "metrics.tasks.adoptions_detect_all", "schedule": 24 * 60 * 60},
    # Webhook deliveries whose processing could not be queued (broker down) or never finished.
    "webhook-deliveries-pending": {
        "task": "metrics.tasks.process_pending_webhook_deliveries",
        "schedule": 5 * 60,
        "options": {"expires": 5 * 60},
    },
    # Usage events wait in Redis until drained; a drain not started within 10 s is superseded by the next.
    "usage-drain": {"task": "metrics.tasks.usage_drain", "schedule": 10, "options": {"expires": 10}},
    "usage-rollups": {"task": "metrics.tasks.usage_rollup_recent", "schedule": 24 * 60 * 60},
    "usage-retention": {"task": "metrics.tasks.usage_prune", "schedule": 24 * 60 * 60},
    # The dashboards' preset periods of the program and each unit's default one, computed ahead (each
    # snapshot is one task on the default queue); a warm-up not started within the hour is superseded.
    "metrics-snapshots": {
        "task": "metrics.tasks.report_snapshots_warm",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
}
CELERY_TASK_ROUTES = {
    # Before the catch-all: usage tasks run on their own queue, never behind a long repository sync.
    "metrics.tasks.usage_*": {"queue": "usage"},
    "metrics.tasks.*": {"queue": "sync"},
}
# Dashboards show precomputed snapshots; one older than this many seconds is still shown, marked with
# its time, while a newer one is computed in the background.
METRICS_SNAPSHOT_MAX_AGE = int(env_str("METRICS_SNAPSHOT_MAX_AGE", "900"))
# Raw usage events are kept this many days (daily rollups are kept for ever).
USAGE_RETENTION_DAYS = int(env_str("USAGE_RETENTION_DAYS", "400"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): e-mail login, sign-up, password reset; forges and company SSO by environment.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
# Sign-up and password reset never tell whether an address has an account (allauth's default, set here so
# that it stays): a reset for an unknown address answers as for a known one, and mails the address
# instead. At sign-up allauth can only hide an existing account when the address must be verified before
# the account is used ("mandatory"): the sign-up then answers "check your e-mail" either way, and the
# owner of the taken address is told by e-mail. With "optional" a taken address is refused on the form
# (portal.checks warns about it).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
# The person who follows the link from the sign-up's mail in the same browser is signed in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
LOGIN_REDIRECT_URL = "/"
# The whole portal for signed-in people only (most intranets want this): anonymous visitors are sent to
# the sign-in page, except on the sign-in, sign-up and password-reset pages, the probes, the webhooks,
# static files and the API (portal.middleware.SignInRequiredMiddleware). Off: the catalog is open, and
# only people's data (profiles, members, badge holders, adopting teams) needs a signed-in viewer.
PORTAL_SIGN_IN_REQUIRED = env_bool("PORTAL_SIGN_IN_REQUIRED", default=False)
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict = {}
if env_str("GITHUB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env_str("GITHUB_CLIENT_ID"), "secret": env_str("GITHUB_CLIENT_SECRET")}],
        "SCOPE": ["read:user", "user:email"],
    }
    if env_str("GITHUB_URL"):
        SOCIALACCOUNT_PROVIDERS["github"]["GITHUB_URL"] = env_str("GITHUB_URL")
if env_str("GITLAB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["gitlab"] = {
        "APPS": [
            {
                "client_id": env_str("GITLAB_CLIENT_ID"),
                "secret": env_str("GITLAB_CLIENT_SECRET"),
                "settings": {"gitlab_url": env_str("GITLAB_URL", "https://gitlab.com")},
            }
        ],
        "SCOPE": ["read_user"],
    }
if env_str("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "company-sso",
                "name": env_str("OIDC_NAME", "Company SSO"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ]
    }

# The OIDC claim that names a person's business unit (a BusinessUnit's slug or name), e.g. "department":
# each sign-in through the company sign-on sets the unit from it (unknown values are logged and ignored).
# Empty: the sign-on sets no unit, and units come from the organisation directory or the program office.
OIDC_BUSINESS_UNIT_CLAIM = env_str("OIDC_BUSINESS_UNIT_CLAIM", "")

# E-mail (Django 6.1 mailers): the console in development, SMTP when EMAIL_HOST is set.
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": int(env_str("EMAIL_PORT", "587")),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
elif env_bool("EMAIL_SEND", default=True):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # EMAIL_SEND=false drops every e-mail (a benchmark evaluating 20,000 journeys prints none).
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "InnerSource Portal <portal@localhost>")

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

# Sign-in and sign-up limits (django-allauth): failed logins per address and per account, sign-ups per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE", "10/m/ip,5/300s/key"),
    "signup": env_str("SIGNUP_RATE", "20/h/ip"),
}
# Usage beacons and forge webhooks, per client address (a DRF throttle over the cache).
USAGE_BEACON_RATE = env_str("USAGE_BEACON_RATE", "120/minute")
WEBHOOK_RATE = env_str("WEBHOOK_RATE", "1200/minute")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Forges: where the sync reads repositories, and the webhook secrets that sign deliveries.
GITHUB_API_URL = env_str("GITHUB_API_URL", "https://api.github.com").rstrip("/")
# GitHub Enterprise's web address (also for "Sign in with GitHub"): its host is a GitHub host, like the
# API's (catalog.repositories.forge_hosts).
GITHUB_URL = env_str("GITHUB_URL").rstrip("/")
GITHUB_TOKEN = env_str("GITHUB_TOKEN")
GITLAB_URL = env_str("GITLAB_URL", "https://gitlab.com").rstrip("/")
GITLAB_TOKEN = env_str("GITLAB_TOKEN")
GITHUB_WEBHOOK_SECRET = env_str("GITHUB_WEBHOOK_SECRET")
GITLAB_WEBHOOK_TOKEN = env_str("GITLAB_WEBHOOK_TOKEN")
# Larger webhook deliveries get a JSON 413, unparsed (GitHub caps its payloads at 25 MB).
WEBHOOK_MAX_BODY_BYTES = int(env_str("WEBHOOK_MAX_BODY_BYTES", str(25 * 1024 * 1024)))
# Plain git clones only from the forges above and these hosts (comma-separated); local paths only when on.
GIT_ALLOWED_HOSTS = env_list("GIT_ALLOWED_HOSTS", [])
GIT_ALLOW_LOCAL_PATHS = env_bool("GIT_ALLOW_LOCAL_PATHS", default=False)
PORTAL_BOT_LOGINS = {login.lower() for login in env_list("PORTAL_BOT_LOGINS", [])}
# How long one request to a forge may take, and how many pages one sync reads at most per endpoint.
FORGE_TIMEOUT_SECONDS = float(env_str("FORGE_TIMEOUT_SECONDS", "20"))
FORGE_MAX_PAGES = int(env_str("FORGE_MAX_PAGES", "1000"))

# The catalog's page size is bounded whatever the query string asks for.
CATALOG_PAGE_SIZE = 20
# On PostgreSQL a search matching more entries than this is "broad": its counts are estimated from a sample
# of the matches and it is ordered by featured and activity (see catalog.selectors); narrower ones are
# counted exactly and ranked by relevance.
CATALOG_SEARCH_EXACT_MAX = int(env_str("CATALOG_SEARCH_EXACT_MAX", "1000"))
CATALOG_MAX_PAGE_SIZE = 100
# The model that turns an entry's text into a vector for search by meaning (catalog.meaning.TextEmbedder):
# a dotted path to a class or a factory; the default runs WordLlama's weights shipped in its wheel.
CATALOG_EMBEDDER = env_str("CATALOG_EMBEDDER", "catalog.meaning.WordLlamaEmbedder")
# A search with text fuses its words with the entries nearest in meaning when the entries the viewer may
# find hold at most this many vectors: the nearest are found by reading every vector (brute force, about
# 3 ms per 1,000 entries here); beyond, the search keeps to its words until the vector index's first snapshot
# is loaded (see CATALOG_MEANING_INDEX_MIN).
CATALOG_MEANING_SEARCH_MAX = int(env_str("CATALOG_MEANING_SEARCH_MAX", "10000"))
# From this many vectors on, a vector index (catalog.meaning_index, built by a worker) proposes the nearest
# entries instead of the scan, for the search, similar entries and the registration check; below, no index
# is built and every answer is exact. Each process maps the index's newest snapshot from this directory.
CATALOG_MEANING_INDEX_MIN = int(env_str("CATALOG_MEANING_INDEX_MIN", "10000"))
CATALOG_MEANING_INDEX_DIR = BASE_DIR / "var" / "meaning-index"
# The radar of re-built wheels links two projects at least this alike (cosine): the default is calibrated
# for the default model (catalog/radar/clusters.py has the figures); another model needs its own.
CATALOG_RADAR_SIMILARITY = float(env_str("CATALOG_RADAR_SIMILARITY", "0.5"))
PROGRAM_OFFICE_GROUP = "Program office"

# The REST API (/api/v1/): personal tokens or the site's session; JSON in and out; errors of one shape.
API_WRITE_RATE = env_str("API_WRITE_RATE", "60/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser with a depth limit: too deep or malformed is a JSON 400, never a 500.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "catalog.pagination.PortalPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttles.WriteRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "ORDERING_PARAM": "ordering",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "InnerSource Portal API",
    "DESCRIPTION": (
        "The catalog, the community and the metrics of the InnerSource portal. Sign in on the site "
        "(session) or send a personal token made on your profile: `Authorization: Bearer <token>`. "
        "Reads need a signed-in person; writes follow the same permissions as the pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several fields are called "kind"; name their enums after what they are.
    "ENUM_NAME_OVERRIDES": {
        "AssetKindEnum": "catalog.models.AssetKind",
        "GuideKindEnum": "community.models.Guide.Kind",
        "UsageReportKindEnum": "metrics.api.usage.ReportedKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
}

# Consumers kept informed (catalog.services.notices): each person's digest of the day, sent once a day.
CELERY_BEAT_SCHEDULE["consumer-digests"] = {
    "task": "catalog.tasks.consumer_digests_send_task",
    "schedule": 24 * 60 * 60,
}
