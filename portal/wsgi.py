import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: what would stop the portal from serving pages is said once, here.
from portal.checks import log_problems_at_start  # noqa: E402

log_problems_at_start()
