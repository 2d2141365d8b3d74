"""Secrets the portal must read back (a repository's own webhook secret, needed to check signatures)
are stored encrypted, never in clear. The key is FIELD_ENCRYPTION_KEY, or derived from SECRET_KEY."""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)
PREFIX = "fernet:"


def _fernet() -> Fernet:
    material = (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal field encryption").derive(
        material
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt_secret(value: str) -> str:
    """The clear text; a value stored before encryption existed is returned as it is."""
    if not value or not value.startswith(PREFIX):
        return value
    try:
        return _fernet().decrypt(value.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        # The key changed (SECRET_KEY rotated without FIELD_ENCRYPTION_KEY): the secret must be set again.
        logger.error("an encrypted secret cannot be read with the current key; set it again in the admin")
        return ""


class EncryptedCharField(models.CharField):
    """A CharField whose value is encrypted in the database and clear in Python."""

    def from_db_value(self, value, expression, connection):
        return decrypt_secret(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_secret(value) if value else value
