"""Portal usage events: recording, and the drain from Redis into the database (metrics.rollups rolls
them up by day and applies the retention).

Recording must cost a request next to nothing: with REDIS_URL set an event is one RPUSH of a small JSON
document onto `usage:events`; a Celery task (`metrics.tasks.usage_drain`, every 10 s) moves them into
PostgreSQL in bulk. In the embedded mode (no Redis) the event is one INSERT. When Redis fails the event
is written directly instead: an event is never dropped silently.

The drain is a reliable queue: items are first moved atomically to `usage:processing`, then stored, then
removed. A crash between the two leaves them in `usage:processing`, and the next drain stores them again;
the unique `event_id` makes that second insert a no-op, so nothing is lost or duplicated.

Metrics never imports community: a person's business unit is read through `user.practitioner` by getattr.

The modules: `queue` (the Redis client and keys), `recording` (building and queueing events), `storing`
(turning a batch of events into rows) and `draining` (moving the queue into the database).
"""

from metrics.usage.draining import (
    DRAIN_BATCH_SIZE,
    DRAIN_LOCK_SECONDS,
    DRAIN_MAX_BATCHES,
    _claim,
    usage_drain,
    usage_queue_length,
)
from metrics.usage.queue import DEAD_KEY, EVENTS_KEY, LOCK_KEY, PROCESSING_KEY, redis_client
from metrics.usage.recording import (
    VISITOR_COOKIE,
    VISITOR_COOKIE_MAX_AGE,
    is_crawler,
    new_event_id,
    new_visitor_id,
    opted_out,
    request_visitor_id,
    usage_event,
    usage_record,
    usage_record_events,
)
from metrics.usage.storing import KINDS, _row, _store

__all__ = [
    "DEAD_KEY",
    "DRAIN_BATCH_SIZE",
    "DRAIN_LOCK_SECONDS",
    "DRAIN_MAX_BATCHES",
    "EVENTS_KEY",
    "KINDS",
    "LOCK_KEY",
    "PROCESSING_KEY",
    "VISITOR_COOKIE",
    "VISITOR_COOKIE_MAX_AGE",
    "_claim",
    "_row",
    "_store",
    "is_crawler",
    "new_event_id",
    "new_visitor_id",
    "opted_out",
    "redis_client",
    "request_visitor_id",
    "usage_drain",
    "usage_event",
    "usage_queue_length",
    "usage_record",
    "usage_record_events",
]
