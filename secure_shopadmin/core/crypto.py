"""Encryption at rest (OTP secrets, session keys) with cryptography's MultiFernet, and keyed digests.

Keys come from ``SECURE_SHOPADMIN["ENCRYPTION_KEYS"]``: Fernet keys, newest first (while it is
empty, a key derived from ``SECRET_KEY`` serves and ``check --deploy`` reports E010). Encrypting
uses the first; decrypting tries each, so a key is rotated by putting a new one in front and
running ``manage.py rotate_encryption_keys``.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.encoding import force_bytes

from ..conf import app_settings

__all__ = ["InvalidToken", "constant_time_equal", "decrypt", "digest", "encrypt", "fernet"]


def fallback_key():
    """A key derived from SECRET_KEY, used only while ENCRYPTION_KEYS is empty (``check --deploy`` errors)."""
    derived = hashlib.sha256(force_bytes(f"secure_shopadmin.encryption:{settings.SECRET_KEY}")).digest()
    return base64.urlsafe_b64encode(derived)


def fernet():
    keys = list(app_settings.ENCRYPTION_KEYS) or [fallback_key()]
    try:
        return MultiFernet([Fernet(force_bytes(key)) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f'SECURE_SHOPADMIN["ENCRYPTION_KEYS"] holds a key that is not a Fernet key: {error}'
        ) from None


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


def constant_time_equal(a, b):
    return hmac.compare_digest(force_bytes(a), force_bytes(b))
