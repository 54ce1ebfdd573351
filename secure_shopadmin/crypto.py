"""Encryption at rest (OTP secrets, session keys) with cryptography's MultiFernet, and keyed digests.

Keys come from ``SECURE_SHOPADMIN["ENCRYPTION_KEYS"]``: Fernet keys, newest first. Encrypting
uses the first; decrypting tries each, so a key is rotated by putting a new one in front and
running ``manage.py rotate_encryption_keys``.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.encoding import force_bytes

from .conf import app_settings

__all__ = ["InvalidToken", "decrypt", "digest", "encrypt", "fernet"]


def fernet():
    keys = app_settings.ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            'SECURE_SHOPADMIN["ENCRYPTION_KEYS"] is empty: add a key made with '
            "cryptography.fernet.Fernet.generate_key() (see the secure_shopadmin.E010 check)."
        )
    return MultiFernet([Fernet(force_bytes(key)) for key in keys])


def encrypt(value: bytes) -> str:
    return fernet().encrypt(value).decode("ascii")


def decrypt(token: str) -> bytes:
    """Raises :class:`InvalidToken` when no configured key opens it."""
    return fernet().decrypt(token.encode("ascii"))


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def digest(value, purpose):
    """Keyed HMAC-SHA256 of a high-entropy secret (a recovery code, a link token), as hex.

    Keyed with ``SECRET_KEY`` and a per-purpose label, so a dumped table alone cannot be used
    to test guesses; high-entropy inputs need no slow hash.
    """
    key = hashlib.sha256(force_bytes(f"secure_shopadmin.{purpose}:{settings.SECRET_KEY}")).digest()
    return hmac.new(key, force_bytes(value), hashlib.sha256).hexdigest()
