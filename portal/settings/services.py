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

# Consumers kept informed (catalog.services.notices): each person's digest of the day, sent once a day.
CELERY_BEAT_SCHEDULE["consumer-digests"] = {
    "task": "catalog.tasks.consumer_digests_send_task",
    "schedule": 24 * 60 * 60,
}
