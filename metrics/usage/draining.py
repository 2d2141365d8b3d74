"""The drain: queued usage events move from Redis into the database in bulk, one drain at a time."""

import uuid

from django.db import transaction

from metrics.usage.queue import EVENTS_KEY, LOCK_KEY, PROCESSING_KEY, redis_client
from metrics.usage.storing import _store

# One drain run stores at most this many batches, so that it finishes well within its lock and the
# next scheduled run (10 s later) takes over a large backlog.
DRAIN_MAX_BATCHES = 50
# Events per batch (one transaction): large enough that the fixed cost of a batch (a Redis round trip,
# the temporary table, a commit) is small next to the rows it carries.
DRAIN_BATCH_SIZE = 5000
DRAIN_LOCK_SECONDS = 120

# Atomic "take up to N from the head of the queue into processing" (Redis runs a script alone).
_CLAIM_SCRIPT = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('RPUSH', KEYS[2], unpack(items))
  redis.call('LTRIM', KEYS[1], #items, -1)
end
return items
"""


def _claim(batch_size: int) -> list[bytes]:
    """The next batch to store: first what a crashed drain left in processing, else up to batch_size
    events moved atomically from the queue to processing."""
    client = redis_client()
    leftovers = client.lrange(PROCESSING_KEY, 0, -1)
    if leftovers:
        return leftovers
    return client.eval(_CLAIM_SCRIPT, 2, EVENTS_KEY, PROCESSING_KEY, batch_size)


def usage_drain(*, batch_size: int = DRAIN_BATCH_SIZE) -> int:
    """Move queued events into the database in bulk; returns how many were inserted.

    One drain at a time (a lock in Redis): two drains sharing `usage:processing` could remove each
    other's batches. A no-op in the embedded mode, where events are written directly."""
    client = redis_client()
    if client is None:
        return 0
    token = uuid.uuid4().hex
    if not client.set(LOCK_KEY, token, nx=True, ex=DRAIN_LOCK_SECONDS):
        return 0
    inserted = 0
    try:
        for _ in range(DRAIN_MAX_BATCHES):
            items = _claim(batch_size)
            if not items:
                break
            with transaction.atomic():
                inserted += _store(items)
            # Only once the batch is committed: a crash before this line makes the next drain redo it.
            client.ltrim(PROCESSING_KEY, len(items), -1)
    finally:
        if client.get(LOCK_KEY) == token.encode():
            client.delete(LOCK_KEY)
    return inserted


def usage_queue_length() -> int:
    client = redis_client()
    return 0 if client is None else client.llen(EVENTS_KEY) + client.llen(PROCESSING_KEY)
