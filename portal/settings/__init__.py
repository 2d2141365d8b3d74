"""Settings for the InnerSource portal, read from the environment.

With no variables set the portal runs embedded: SQLite, local-memory cache, Celery tasks inline.
Production differs only by environment values (DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ...).

One module per responsibility, each importing what it needs from the others; this package is their
union, which DJANGO_SETTINGS_MODULE=portal.settings names:
- environment: the fail-loud readers of variables (env_str, env_bool, env_list), DEBUG and TESTING;
- web: the apps, middleware, URLs, templates, language, static and media files, logging;
- security: secrets, hosts, proxies, cookies and HTTPS, the Content-Security-Policy;
- accounts: passwords, sign-in and sign-up, the forges' and the company's sign-on;
- services: the database, Redis, Celery's queues and periodic tasks, e-mail;
- api: the REST API and its schema;
- options: forges and webhooks, catalog search, metrics snapshots and usage retention.
"""

# Every upper-case name of the modules is a setting: they are gathered here whole.
from portal.settings.accounts import *  # noqa: F403
from portal.settings.api import *  # noqa: F403
from portal.settings.environment import *  # noqa: F403
from portal.settings.options import *  # noqa: F403
from portal.settings.security import *  # noqa: F403
from portal.settings.services import *  # noqa: F403
from portal.settings.web import *  # noqa: F403
