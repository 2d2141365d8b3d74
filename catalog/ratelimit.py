"""Per-address request limits for plain views that anyone can reach (usage beacons, forge webhooks).

DRF's throttle does the counting (in the cache: Redis in production), so the API and these views share
one mechanism and one notion of the client's address (TRUSTED_PROXY_COUNT)."""

import math
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from rest_framework.throttling import SimpleRateThrottle


class _AddressThrottle(SimpleRateThrottle):
    def __init__(self, *, scope: str, rate: str):
        self.scope, self.rate = scope, rate
        super().__init__()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def rate_limited(*, scope: str, rate_setting: str):
    """At most `settings.<rate_setting>` (e.g. "120/minute") requests per address; a JSON 429 beyond."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = _AddressThrottle(scope=scope, rate=getattr(settings, rate_setting))
            if not throttle.allow_request(request, None):
                response = JsonResponse({"error": "Too many requests; try again later."}, status=429)
                response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
