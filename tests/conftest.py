import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests import parallel
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent

# The tests' helper modules that assert: their failures explained as the tests' own are.
pytest.register_assert_rewrite("tests.api", "tests.metrics.manifest_files")

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same thread
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    """PORTAL_TEST_DAYS_AHEAD=N runs the whole suite with the clock N days ahead (CI runs its embedded
    pass a year ahead), so that a test that passes only until the calendar moves fails today. Started
    before the test modules are imported: their module-level "now" moves too."""
    days = os.environ.get("PORTAL_TEST_DAYS_AHEAD", "").strip()
    if days:
        import time_machine

        ahead = datetime.now(UTC) + timedelta(days=int(days))
        config._portal_clock = time_machine.travel(ahead, tick=True)
        config._portal_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_portal_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    days = os.environ.get("PORTAL_TEST_DAYS_AHEAD", "").strip()
    lines = [f"clock: {days} days ahead ({datetime.now(UTC):%Y-%m-%d})"] if days else []
    workers = config.getoption("numprocesses", None)
    if workers:
        try:
            environments = parallel.worker_environments(os.environ.get("REDIS_URL", ""), workers)
        except ValueError:
            return lines  # pytest_xdist_setupnodes says why
        lines.append(
            "redis per xdist worker: "
            + ", ".join(f"gw{n}: {' '.join(env.values())}" for n, env in enumerate(environments))
        )
    return lines


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (as `make test` runs): a module's tests on one worker, in the order below."""
    return parallel.ModuleRunScheduling(config, log) if config.getvalue("dist") == "loadfile" else None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Redis databases of each worker's own (see tests/parallel.py), in its environment from the start."""
    try:
        environments = parallel.worker_environments(os.environ.get("REDIS_URL", ""), len(specs))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    for spec, environment in zip(specs, environments, strict=True):
        spec.env.update(environment)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="PostgreSQL-only behaviour (set DATABASE_URL to a postgres:// URL)")
    for item in items:
        if "postgres" in item.keywords and not postgres:
            item.add_marker(skip)
    # A transactional test (live server, real worker) empties every table when it ends, including what
    # the data migrations wrote; run them last, each restoring the migrated data it starts from. Under
    # xdist each worker runs its tests in this order (tests/parallel.py hands them out in it).
    items[:] = [i for i in items if not _transactional(i)] + [i for i in items if _transactional(i)]


@pytest.fixture(autouse=True)
def _tasks_inline_unless_a_worker_runs(request):
    """Tests see their own uncommitted data, which a worker process cannot: tasks run inline as in the
    embedded mode, except in the tests that start a real worker (and commit their data)."""
    from portal.celery import app

    if "celery_worker_process" in request.fixturenames:
        yield
        return
    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


@pytest.fixture(autouse=True)
def _small_embedder(settings):
    """Entries are embedded by a small deterministic embedder (tests/embedders.py), except in the tests
    of the real model (tests/catalog/test_meaning.py), which set CATALOG_EMBEDDER back."""
    settings.CATALOG_EMBEDDER = "tests.embedders.WordsEmbedder"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def program_office(db):
    user = UserFactory(username="office", first_name="Olivia", last_name="Office")
    user.groups.add(Group.objects.get(name=settings.PROGRAM_OFFICE_GROUP))
    return user


@pytest.fixture
def office_admin(program_office):
    """The program office with the Django admin open to it (staff, as seed_demo makes it)."""
    program_office.is_staff = True
    program_office.save()
    return program_office


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def starter(db):
    return UserFactory(username="starter", first_name="Sam", last_name="Starter")


@pytest.fixture(scope="session")
def session_fake_forge():
    """One local forge for the whole run, so that a worker process started once can reach it."""
    from tests.metrics.fakeforge import FakeForge

    forge = FakeForge().start()
    yield forge
    forge.stop()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, session_fake_forge, tmp_path_factory):
    """A real Celery worker on Redis against the test database (PostgreSQL mode only); its forges are
    the session's local fake forge."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: in the embedded mode tasks run inline")
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_TESTING": "1",
        "GITHUB_API_URL": session_fake_forge.url,
        "GITLAB_URL": session_fake_forge.url,
        "PORTAL_MEDIA_ROOT": str(tmp_path_factory.mktemp("worker-media")),
        # The worker syncs git repositories the tests build in temporary folders.
        "GIT_ALLOW_LOCAL_PATHS": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "-Q",
            "default,sync,usage",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    from portal.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            break
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited at start-up")
    else:
        process.terminate()
        raise RuntimeError("the Celery worker did not answer within 60 s")
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def fake_forge():
    """A local HTTP server speaking like a forge (see tests/metrics/fakeforge.py)."""
    from tests.metrics.fakeforge import FakeForge

    forge = FakeForge().start()
    yield forge
    forge.stop()
