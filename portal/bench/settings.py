"""The portal's own settings, with the few things a benchmark run must change, from the environment:

- BENCH_STATIC_ROOT: where `collectstatic` writes (the manifest storage of production needs one), so a
  run never touches the checkout's var/staticfiles;
- BENCH_USAGE=off: without the usage middleware (the "recording off" server of the recording test);
- e-mail goes nowhere: evaluating 20,000 journeys must not print 20,000 e-mails on the console.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import MIDDLEWARE

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

if os.environ.get("BENCH_USAGE", "on") == "off":
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "metrics.middleware.UsageMiddleware"]

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
