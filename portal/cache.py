"""The cache on Redis, failing soft: when Redis is down or hangs, a read is a miss and a write is
skipped, so that a page, the API or a rate limit never fails because of the cache.

What that costs while Redis is away: nothing is cached, rate limits counted in the cache (beacons,
webhooks, API writes, sign-in attempts) are not enforced, and `add()` (the repository sync lock) says
"not acquired", so that no two syncs of one repository can run because the lock could not be checked.
"""

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class FailSoftRedisCache(RedisCache):
    def _fail_soft(self, operation: str, fallback: Any, *args: Any) -> Any:
        """RedisCache's `operation`, or `fallback` (what a miss or a skipped write answers) when Redis fails."""
        try:
            return getattr(super(), operation)(*args)
        except RedisError as error:
            logger.warning(
                "cache: Redis unavailable (%s) during %s; carrying on without it", error, operation
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._fail_soft("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._fail_soft("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._fail_soft("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._fail_soft("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # A write that failed left every key unset.
        return self._fail_soft("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_soft("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._fail_soft("delete_many", None, keys, version)
