import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import ProjectFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def settings_in_subprocess(env: dict, expression: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    clean.pop("PORTAL_TESTING", None)
    code = (
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup(); "
        f"from django.conf import settings; print(({expression}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True
    )


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client, db, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_reports_unreachable_redis_as_unavailable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    from django.core.cache import caches

    caches._settings = None  # the cache handler reads the new CACHES setting
    caches.__dict__.pop("settings", None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")


def test_the_home_page_shows_the_catalog_in_figures(client, db):
    ProjectFactory(name="Visible Project")
    body = client.get("/").content.decode()
    assert "Reuse before you rebuild." in body
    assert "<title>Home · InnerSource Portal</title>" in body


def test_a_person_signs_up_and_signs_in_with_their_e_mail(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@acme.example",
            "first_name": "Nia",
            "last_name": "Newcomer",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )
    # The address is confirmed before the account is used (so that sign-up never tells whether an
    # address has an account: tests/portal/test_people_data.py).
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    user = get_user_model().objects.get(email="new.person@acme.example")
    assert user.get_full_name() == "Nia Newcomer"
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)  # signed in by confirming, in the same browser
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "new.person@acme.example", "password": "a-long-pass-phrase-1"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == user


def test_a_wrong_password_is_refused_with_a_message(client, db):
    user = UserFactory(username="someone")
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_reset_sends_an_e_mail(client, db):
    user = UserFactory(username="forgetful")
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [user.email]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_forge_and_company_sso_providers_are_switched_on_by_the_environment():
    off = settings_in_subprocess({}, "sorted(settings.SOCIALACCOUNT_PROVIDERS)")
    assert off.stdout.strip() == "[]", off.stderr
    on = settings_in_subprocess(
        {
            "GITHUB_CLIENT_ID": "a",
            "GITHUB_CLIENT_SECRET": "b",
            "GITLAB_CLIENT_ID": "c",
            "OIDC_CLIENT_ID": "d",
            "OIDC_SERVER_URL": "https://sso.acme.example",
        },
        "sorted(settings.SOCIALACCOUNT_PROVIDERS)",
    )
    assert on.stdout.strip() == "['github', 'gitlab', 'openid_connect']", on.stderr


def test_production_without_a_secret_key_stops_with_a_clear_message():
    result = settings_in_subprocess({"DEBUG": "false"}, "settings.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_embedded_default_is_sqlite_with_inline_tasks_and_a_memory_cache():
    result = settings_in_subprocess(
        {},
        "settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['default']['BACKEND']",
    )
    assert result.stdout.strip() == (
        "('django.db.backends.sqlite3', True, 'django.core.cache.backends.locmem.LocMemCache')"
    ), result.stderr


def test_database_and_redis_come_from_the_environment():
    result = settings_in_subprocess(
        {"DATABASE_URL": "postgres://u@db.example:5433/portal", "REDIS_URL": "redis://cache.example:6379/1"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['PORT'], settings.CELERY_BROKER_URL",
    )
    assert (
        result.stdout.strip() == "('django.db.backends.postgresql', 5433, 'redis://cache.example:6379/1')"
    ), result.stderr


def test_an_unsupported_database_url_is_refused():
    result = settings_in_subprocess({"DATABASE_URL": "mysql://x@y/z"}, "1")
    assert result.returncode != 0
    assert "DATABASE_URL must be a postgres:// URL or a sqlite:/// path" in result.stderr


@pytest.mark.django_db
def test_the_program_office_group_exists_with_catalog_permissions():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Program office")
    assert group.permissions.filter(codename="change_project").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "required", "optional"),
    [
        ("account_signup", ["id_first_name", "id_last_name", "id_email", "id_password1", "id_password2"], []),
        ("account_login", ["id_login", "id_password"], ["id_remember"]),
        ("account_reset_password", ["id_email"], []),
    ],
)
def test_the_account_forms_mark_their_required_fields_as_every_form_does(client, route, required, optional):
    html = client.get(reverse(route)).content.decode()
    for field in required:
        label = html.split(f'<label for="{field}">')[1].split("</label>")[0]
        assert '<span class="visually-hidden">(required)</span>' in label, field
    for field in optional:
        assert "(required)" not in html.split(f'<label for="{field}">')[1].split("</label>")[0], field
