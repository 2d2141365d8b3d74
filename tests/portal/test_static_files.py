"""With DEBUG off, static files that were never collected are reported by /readyz and at start-up in one
line, instead of being found out as a 500 on every page."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.portal.test_portal import ROOT

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
PRODUCTION = {
    "SECRET_KEY": "static-files-test-key-" + "x" * 40,
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.com",
}


@pytest.fixture
def production_static(settings, tmp_path):
    """The production storage (whitenoise's compressed manifest) over an empty STATIC_ROOT."""
    root = tmp_path / "staticfiles"
    root.mkdir()
    settings.STATIC_ROOT = root
    settings.STORAGES = MANIFEST_STORAGE
    return root


def test_readyz_answers_503_naming_the_missing_collectstatic(client, db, production_static):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["static_files"].startswith("error: The static files are not collected")
    assert "python manage.py collectstatic --noinput" in body["checks"]["static_files"]


def test_readyz_is_ready_once_the_static_files_are_collected_and_pages_render(
    client, db, production_static, settings
):
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.STORAGES = dict(MANIFEST_STORAGE)  # a new storage, as a process started after collectstatic
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["static_files"] == "ok"
    page = client.get("/")
    assert page.status_code == 200
    assert "/static/css/portal." in page.content.decode()  # the hashed name from the manifest


def test_a_process_started_before_collectstatic_is_told_to_start_again(
    client, db, production_static, tmp_path
):
    assert client.get("/readyz").status_code == 503  # the storage has read no manifest
    # collectstatic run beside the serving process, as an operator would.
    env = _production(tmp_path, PORTAL_STATIC_ROOT=str(production_static))
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput"]
    subprocess.run(collect, env=env, cwd=ROOT, check=True, capture_output=True)
    assert (production_static / "staticfiles.json").exists()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "start the portal again" in response.json()["checks"]["static_files"]


def _production(tmp_path, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "PORTAL_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {
        **env,
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
        "PORTAL_STATIC_ROOT": str(tmp_path / "staticfiles"),
        **extra,
    }


def test_manage_py_check_and_runserver_say_it_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=_production(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "portal.W001" in line]
    assert len(lines) == 1, result.stdout + result.stderr
    assert "The static files are not collected" in lines[0]
    assert "python manage.py collectstatic --noinput" in lines[0]


def test_gunicorn_start_up_logs_it_in_one_line(tmp_path):
    """gunicorn runs no system checks; loading the WSGI application (what gunicorn does) logs it."""
    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        env=_production(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "portal.W001" in line]
    assert len(lines) == 1, result.stderr
    assert "collectstatic" in lines[0]


def test_collectstatic_itself_is_not_told_to_run_collectstatic(tmp_path):
    env = _production(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "portal.W001" not in result.stdout + result.stderr
    after = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert "portal.W001" not in after.stdout + after.stderr
