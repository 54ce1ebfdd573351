"""Unsalted hex digests of the password, as many old shops stored them."""

import hashlib

from .base import LegacyPasswordHasher, UnsaltedHexMixin


def hex_of(name, data):
    return hashlib.new(name, data).hexdigest()


class UnsaltedHexPasswordHasher(UnsaltedHexMixin, LegacyPasswordHasher):
    digest_name = None

    @property
    def hex_length(self):
        return hashlib.new(self.digest_name).digest_size * 2

    def digest(self, password, rest):
        return hex_of(self.digest_name, password.encode())


class LegacyMD5PasswordHasher(UnsaltedHexPasswordHasher):
    """Scheme ``md5``: ``legacy_md5$<hex>``, hex = md5(password), 32 characters."""

    algorithm = "legacy_md5"
    scheme = "md5"
    digest_name = "md5"


class LegacySHA1PasswordHasher(UnsaltedHexPasswordHasher):
    """Scheme ``sha1``: ``legacy_sha1$<hex>``, hex = sha1(password), 40 characters."""

    algorithm = "legacy_sha1"
    scheme = "sha1"
    digest_name = "sha1"


class LegacySHA256PasswordHasher(UnsaltedHexPasswordHasher):
    """Scheme ``sha256``: ``legacy_sha256$<hex>``, hex = sha256(password), 64 characters."""

    algorithm = "legacy_sha256"
    scheme = "sha256"
    digest_name = "sha256"
