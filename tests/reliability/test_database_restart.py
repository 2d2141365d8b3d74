"""PostgreSQL restarted under load: requests fail briefly with a 503 page (never a 500), then the same
server process answers again by itself once the database is back.

The portal runs in gunicorn (as in production) against a private PostgreSQL cluster that the test
stops and starts; a few clients keep requesting pages the whole time."""

import threading
import time
from collections import Counter

import pytest
import requests

from tests.reliability.conftest import PortalServer, manage, portal_env, wait_until

pytestmark = [pytest.mark.faults]

PAGES = ["/", "/catalog/", "/catalog/?q=ledger", "/catalog/ledger/"]
CREATE_PROJECT = """
from catalog.models import BusinessUnit, Project
unit = BusinessUnit.objects.get_or_create(slug="finance", defaults={"name": "Finance"})[0]
Project.objects.get_or_create(slug="ledger", defaults={
    "name": "Ledger", "description": "Double-entry bookkeeping for every team",
    "business_unit": unit, "review_status": "approved"})
"""


@pytest.fixture(scope="module")
def portal_on_private_postgres(private_postgres):
    private_postgres.psql("CREATE DATABASE portal")
    env = portal_env(DATABASE_URL=private_postgres.url("portal"))
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", CREATE_PROJECT, env=env)
    server = PortalServer(env, workers=1, threads=4).start()
    yield server, private_postgres
    server.stop()


class Load:
    """Clients requesting pages in a loop; every answer's status (or the connection error) is kept."""

    def __init__(self, base_url: str, clients: int = 4) -> None:
        self.base_url = base_url
        self.statuses: Counter = Counter()
        self.samples: list[tuple[float, str, int | str]] = []
        self.bodies_503: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]

    def _run(self, n: int) -> None:
        session = requests.Session()
        i = n
        while not self._stop.is_set():
            path = PAGES[i % len(PAGES)]
            i += 1
            try:
                response = session.get(self.base_url + path, timeout=30)
                outcome: int | str = response.status_code
                if response.status_code == 503 and len(self.bodies_503) < 5:
                    self.bodies_503.append(
                        f"{path}\n{response.headers.get('Content-Type')}\n"
                        f"{response.headers.get('Retry-After')}\n{response.text}"
                    )
            except requests.RequestException as error:
                outcome = error.__class__.__name__
            with self._lock:
                self.statuses[outcome] += 1
                self.samples.append((time.monotonic(), path, outcome))
            time.sleep(0.02)

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def test_while_postgresql_restarts_requests_get_a_503_page_then_recover_without_a_restart(
    portal_on_private_postgres,
):
    server, postgres = portal_on_private_postgres
    pid = server.process.pid
    for path in PAGES:
        assert requests.get(server.url + path, timeout=30).status_code == 200, path

    with Load(server.url) as load:
        wait_until(lambda: load.statuses[200] >= 20, timeout=60, what="requests before the restart")
        postgres.stop("fast")  # terminates every connection, as a restart or a failover does
        wait_until(lambda: load.statuses[503] >= 8, timeout=60, what="503 answers while it is down")
        down_since = time.monotonic()
        ready = requests.get(server.url + "/readyz", timeout=30)
        time.sleep(1)
        postgres.start()
        back_at = time.monotonic()
        wait_until(
            lambda: sum(1 for t, _, s in load.samples if t > back_at + 5 and s == 200) >= 20,
            timeout=60,
            what="pages to answer again after the restart",
        )

    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
    assert set(load.statuses) <= {200, 503}, f"unexpected answers: {load.statuses}\n{server.output()}"
    assert load.statuses[503] >= 8
    # Every page was served again by the same process; nothing was restarted.
    assert server.process.poll() is None and server.process.pid == pid
    late = [s for t, _, s in load.samples if t > back_at + 5]
    assert late and set(late) == {200}, Counter(late)
    assert down_since < back_at
    html = next(body for body in load.bodies_503 if "text/html" in body.split("\n")[1])
    assert "briefly unavailable" in html and "<title>Temporarily unavailable" in html
    assert html.split("\n")[2] == "10"  # Retry-After
    for path in PAGES:
        assert requests.get(server.url + path, timeout=30).status_code == 200, path


@pytest.mark.django_db
def test_a_database_error_is_a_503_page_for_people_and_a_json_503_for_the_api(client, settings):
    from django.db import OperationalError, connection

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="reader"))
    # As in production: an error raised in a middleware (here the session lookup behind request.user)
    # becomes Django's 500 first, which the portal's middleware turns into the 503.
    client.raise_request_exception = False

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        page = client.get("/catalog/")
        api = client.get("/api/v1/projects/")

    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "<title>Temporarily unavailable · InnerSource Portal</title>" in page.content.decode()
    assert page["Content-Security-Policy"]  # the security middleware still dressed the answer
    assert api.status_code == 503 and api.json()["error"].startswith("The service is briefly unavailable")
