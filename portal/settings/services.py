"""What the portal runs on: the database, Redis (cache and Celery broker), Celery's queues and periodic
tasks, and e-mail. With none of them configured: SQLite, a local-memory cache, tasks inline, e-mails
printed."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import BASE_DIR, env_bool, env_str

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

_HOUR = 60 * 60
_DAY = 24 * _HOUR


def _every(seconds: int, task: str, *, superseded: bool = False, **kwargs) -> dict:
    """Celery beat's entry for `task`, run every `seconds` with `kwargs`. `superseded`: a run that has
    not started by the time the next one is due expires, since the next one does the same work."""
    entry: dict = {"task": task, "schedule": seconds}
    if kwargs:
        entry["kwargs"] = kwargs
    if superseded:
        entry["options"] = {"expires": seconds}
    return entry


CELERY_BEAT_SCHEDULE = {
    "refresh-activity-scores": _every(_DAY, "catalog.tasks.scores_refresh_all"),
    # Between these, a snapshot is rebuilt when enough vectors changed since (catalog.tasks).
    "meaning-index": _every(_DAY, "catalog.tasks.meaning_index_build_task"),
    # The radar of re-built wheels in full (between full runs, changed projects update it incrementally).
    "duplicates-radar": _every(_DAY, "catalog.tasks.duplicates_radar_task"),
    "sync-repositories-incremental": _every(_HOUR, "metrics.tasks.sync_all"),
    "sync-repositories-full": _every(_DAY, "metrics.tasks.sync_all", full=True),
    "evaluate-journeys": _every(_DAY, "community.tasks.evaluate_everyone"),
    # Adoptions found in code, matched again for assets given a package URL since the last sync.
    "detect-adoptions": _every(_DAY, "metrics.tasks.adoptions_detect_all"),
    # Webhook deliveries whose processing could not be queued (broker down) or never finished.
    "webhook-deliveries-pending": _every(
        5 * 60, "metrics.tasks.process_pending_webhook_deliveries", superseded=True
    ),
    # Usage events wait in Redis until drained; a drain not started within 10 s is superseded by the next.
    "usage-drain": _every(10, "metrics.tasks.usage_drain", superseded=True),
    "usage-rollups": _every(_DAY, "metrics.tasks.usage_rollup_recent"),
    "usage-retention": _every(_DAY, "metrics.tasks.usage_prune"),
    # The dashboards' preset periods of the program and each unit's default one, computed ahead (each
    # snapshot is one task on the default queue); a warm-up not started within the hour is superseded.
    "metrics-snapshots": _every(_HOUR, "metrics.tasks.report_snapshots_warm", superseded=True),
    # Consumers kept informed (catalog.services.notices): each person's digest of the day, sent once a day.
    "consumer-digests": _every(_DAY, "catalog.tasks.consumer_digests_send_task"),
}
CELERY_TASK_ROUTES = {
    # Before the catch-all: usage tasks run on their own queue, never behind a long repository sync.
    "metrics.tasks.usage_*": {"queue": "usage"},
    "metrics.tasks.*": {"queue": "sync"},
}

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
