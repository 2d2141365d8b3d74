from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import UserRateThrottle


class WriteRateThrottle(UserRateThrottle):
    """Limits writes per person (API_WRITE_RATE, e.g. "60/minute"); reads are not limited here."""

    scope = "write"

    def get_rate(self) -> str:
        # Read on each request rather than once at import, so the setting can change without a restart.
        return settings.API_WRITE_RATE

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
