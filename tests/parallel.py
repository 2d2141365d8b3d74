"""The suite on several pytest-xdist workers (`make test` runs two): how tests are handed out, and what
each worker keeps to itself.

Handing out (`--dist loadfile`, ModuleRunScheduling below): the tests of a module run on one worker, which
sets up the module's fixtures once (the seeded demo, the benchmark's report, a private PostgreSQL), and
each worker runs its tests in the collection order, so its transactional tests after all its others
(see conftest.py's pytest_collection_modifyitems).

What each worker keeps to itself:

pytest-django gives each worker a test database of its own (test_<name>_gw0, test_<name>_gw1, ...), and
live servers, fake forges and private services take free ports and temporary folders of their own. What
the workers would still share is the Redis server, so each worker gets Redis databases of its own, put
in its environment by the controller (conftest.py's `pytest_xdist_setupnodes`) before the worker starts,
so before Django reads its settings:

- REDIS_URL (when set, the PostgreSQL + Redis pass): the database of the worker's cache (which every
  test empties), its Celery broker and results, and its usage queue. The Celery worker a worker starts
  inherits it, so that it consumes only the tasks of that worker's tests, whose test database it reads.
- SCRATCH_ENV: the database the usage tests (and the benchmark) empty as they please, on REDIS_URL's
  server or, without REDIS_URL, on a local one.

Worker gw0 keeps REDIS_URL's own database; the other databases are the next ones up from it (modulo 16),
past those that other runs on the same server use. The scratch database without xdist stays db 13.
"""

import os
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

from xdist.scheduler import LoadScopeScheduling

SCRATCH_ENV = "PORTAL_TEST_SCRATCH_REDIS_URL"
SCRATCH_SERVER = "redis://127.0.0.1:6379"
SCRATCH_DB = 13
RESERVED_DBS = {
    0: "Redis's default database: a developer's own portal may keep its queue there",
    SCRATCH_DB: "the scratch database of a run without xdist",
    14: "the database `make bench` uses by default",
    15: "CI's REDIS_URL",
}
DATABASES = 16  # a Redis server's default


def with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def db_of(url: str) -> int:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ValueError(f"REDIS_URL {url!r}: a worker's own database is derived from redis:// URLs only")
    return int(parts.path.strip("/") or 0)


def worker_environments(redis_url: str, workers: int) -> list[dict[str, str]]:
    """The environment of each worker, gw0 first: its REDIS_URL (when there is one) and scratch URL."""
    base = db_of(redis_url) if redis_url else None
    start = SCRATCH_DB if base is None else base
    free = [db for db in ((start + k) % DATABASES for k in range(1, DATABASES)) if db not in RESERVED_DBS]
    mains: list[int] = [] if base is None else [base, *free[: workers - 1]]
    scratches = free[len(mains[1:]) :][:workers]
    if len(scratches) < workers:
        raise ValueError(
            f"{workers} workers need {len(mains) + workers} Redis databases of their own; "
            f"at most {len(free) + (base is not None)} are free"
        )
    environments = [{SCRATCH_ENV: with_db(redis_url or SCRATCH_SERVER, db)} for db in scratches]
    for environment, db in zip(environments, mains, strict=False):
        environment["REDIS_URL"] = with_db(redis_url, db)
    return environments


def scratch_redis_url() -> str:
    """A Redis database this process's tests may empty: the worker's own under xdist, else db 13 (of
    REDIS_URL's server, or of a local one)."""
    return os.environ.get(SCRATCH_ENV) or with_db(os.environ.get("REDIS_URL") or SCRATCH_SERVER, SCRATCH_DB)


def units(collection: list[str]) -> dict[str, str]:
    """Each test's unit of work: `<module>#<n>` for the n-th run of consecutive tests of its module."""
    unit_of: dict[str, str] = {}
    runs: Counter[str] = Counter()
    previous = None
    for nodeid in collection:
        module = nodeid.split("::", 1)[0]
        if module != previous:
            runs[module] += 1
            previous = module
        unit_of[nodeid] = f"{module}#{runs[module]}"
    return unit_of


class ModuleRunScheduling(LoadScopeScheduling):
    """xdist's loadfile, in the collection's order. xdist's own hands the largest modules out first and
    keeps all of a module's tests together, wherever the collection put them: a module's transactional
    tests would then empty the worker's database in the middle of its run. Here a unit is a run of
    consecutive tests of one module (a module with transactional tests is two units, the transactional
    one among the last), and units go out in the collection's order, one at a time to whichever worker
    has almost nothing left."""

    def __init__(self, config, log=None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False  # the order is the point
        self.unit_of: dict[str, str] = {}

    def schedule(self) -> None:
        if self.collection is None and self.registered_collections:
            self.unit_of = units(next(iter(self.registered_collections.values())))
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        return self.unit_of[nodeid]
