"""The Redis queue usage events wait in: its keys and the client (None in the embedded mode)."""

import redis
from django.conf import settings

EVENTS_KEY = "usage:events"
PROCESSING_KEY = "usage:processing"
DEAD_KEY = "usage:dead"
LOCK_KEY = "usage:drain-lock"
# Short, so that a Redis that hangs costs a request at most a fraction of a second before the fallback.
REDIS_TIMEOUT_SECONDS = 0.2

_clients: dict[str, redis.Redis] = {}


def redis_client() -> redis.Redis | None:
    """One client (and connection pool) per process and URL; None in the embedded mode."""
    url = settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        _clients[url] = client
    return client
