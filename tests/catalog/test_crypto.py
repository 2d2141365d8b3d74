"""Webhook secrets are encrypted at rest and still verify signatures."""

from django.db import connection

from catalog.crypto import PREFIX, decrypt_secret, encrypt_secret
from catalog.models import Repository
from tests.factories import ProjectFactory


def test_a_repositorys_webhook_secret_is_never_stored_in_clear(db):
    repository = Repository.objects.create(
        project=ProjectFactory(),
        forge="github",
        url="https://github.com/acme/x",
        webhook_secret="s3cret-value",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM catalog_repository WHERE id = %s", [repository.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith(PREFIX) and "s3cret-value" not in stored
    assert Repository.objects.get(pk=repository.pk).webhook_secret == "s3cret-value"
    Repository.objects.filter(pk=repository.pk).update(webhook_secret="other")
    assert Repository.objects.get(pk=repository.pk).webhook_secret == "other"


def test_a_secret_stored_before_encryption_still_reads_and_a_changed_key_reads_as_unset(settings):
    assert decrypt_secret("legacy-clear-text") == "legacy-clear-text"
    token = encrypt_secret("value")
    assert decrypt_secret(token) == "value"
    settings.FIELD_ENCRYPTION_KEY = "another key"
    assert decrypt_secret(token) == ""
