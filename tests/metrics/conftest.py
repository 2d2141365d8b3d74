"""Fixtures shared by the metrics tests."""

import pytest
import redis

from tests import parallel

TEST_REDIS_URL = parallel.scratch_redis_url()  # a database of its own: the tests empty it


@pytest.fixture
def queue(settings):
    """A real Redis on a database of its own as the usage queue, emptied before and after; skipped where
    none runs."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    client.flushdb()
    settings.REDIS_URL = TEST_REDIS_URL
    yield client
    client.flushdb()
