"""N people register a project each, all at the same moment, through the real registration page
(middleware, view, service, inline tasks) against the SQLite file named by DATABASE_URL: each on its
own thread and database connection, as the threads of `manage.py runserver` in the embedded mode are.

Run by tests/portal/test_sqlite_concurrency.py as `python -m tests.portal.sqlite_writers N`, in a
process of its own so that the portal's settings module reads that DATABASE_URL. Prints one JSON line:
the status code of each registration (or the exception it raised).
"""

import json
import os
import sys
import threading


def main(count: int) -> list:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed, e-mails stay in memory

    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    from catalog.models import BusinessUnit

    unit = BusinessUnit.objects.create(name="Payments", slug="payments")
    people = [
        get_user_model().objects.create_user(username=f"writer{n}", email=f"writer{n}@acme.example")
        for n in range(count)
    ]
    start = threading.Barrier(count)
    statuses: list = [None] * count

    def register(n: int) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(people[n])
        try:
            start.wait(timeout=30)
            response = client.post(
                "/catalog/register/",
                {
                    "name": f"Concurrent Service {n}",
                    "description": "Registered at the same moment as nineteen others.",
                    "business_unit": unit.pk,
                    "lifecycle": "incubating",
                    "repository_urls": f"https://github.acme.example/payments/concurrent-{n}",
                    "topics": "kafka",
                    "languages": "Go",
                },
            )
            statuses[n] = response.status_code
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            statuses[n] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
