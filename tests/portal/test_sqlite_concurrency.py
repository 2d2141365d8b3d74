"""The embedded mode's SQLite takes a small team's simultaneous writes: WAL (readers never wait for the
writer), a busy timeout (a writer waits for the one before it) and immediate transactions (a
transaction that reads and then writes takes the write lock when it begins, so that SQLite never has to
refuse its upgrade with "database is locked" at once, timeout or not)."""

import json
import os
import sqlite3
import subprocess
import sys

from django.db import connection

from tests.portal.test_portal import ROOT, settings_in_subprocess

WRITERS = 20


def test_the_embedded_database_waits_for_the_lock_and_takes_it_when_a_transaction_begins():
    result = settings_in_subprocess({}, "settings.DATABASES['default']")
    assert result.returncode == 0, result.stderr
    database = result.stdout
    assert "'ENGINE': 'django.db.backends.sqlite3'" in database
    assert "'transaction_mode': 'IMMEDIATE'" in database
    assert "PRAGMA journal_mode=WAL" in database
    assert "'timeout': 20" in database


def test_a_sqlite_database_url_gets_the_same_options():
    result = settings_in_subprocess(
        {"DATABASE_URL": "sqlite:////tmp/elsewhere.sqlite3"},
        "(settings.DATABASES['default']['NAME'], settings.DATABASES['default']['OPTIONS'])",
    )
    assert result.returncode == 0, result.stderr
    assert "'/tmp/elsewhere.sqlite3'" in result.stdout
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout


def _migrated_database(path) -> None:
    """A migrated SQLite file: a copy of the (migrated, still empty) test database when that is SQLite,
    in milliseconds; else made by migrate (the PostgreSQL pass of the suite). The copy is made outside
    any transaction (transactional_db): an immediate transaction holds a lock the copy would wait for."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        env={**env, "DATABASE_URL": f"sqlite:///{path}", "PORTAL_TESTING": "1"},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def test_twenty_people_registering_at_the_same_moment_on_the_embedded_sqlite_all_succeed(
    tmp_path, transactional_db
):
    path = tmp_path / "portal.sqlite3"
    _migrated_database(path)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-m", "tests.portal.sqlite_writers", str(WRITERS)],
        env={**env, "DATABASE_URL": f"sqlite:///{path}", "PORTAL_TESTING": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert statuses == [302] * WRITERS, f"{statuses}\n{result.stderr[-3000:]}"
    with sqlite3.connect(path) as database:
        (registered,) = database.execute(
            "SELECT count(*) FROM catalog_project WHERE name LIKE 'Concurrent Service %'"
        ).fetchone()
        (journal,) = database.execute("PRAGMA journal_mode").fetchone()
    assert registered == WRITERS
    assert journal == "wal"
