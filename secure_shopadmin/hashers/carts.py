"""Zen Cart's sha256 hashes and CS-Cart's salted md5."""

import base64
import binascii
import hashlib
import re

from django.utils.translation import gettext

from .base import FAST, LegacyPasswordHasher, split_digest_and_salt
from .platforms import salted_body

ZENCART_HEX = 64
_LOWER_HEX = re.compile(r"[0-9a-f]{64}")
_PACKED = re.compile(r"[A-Za-z0-9+/]{43}")


def pack_hex(value):
    """64 hex digits as the 43 characters of their 32 bytes in base64, without padding."""
    return base64.b64encode(bytes.fromhex(value)).decode().rstrip("=")


def unpack_hex(value):
    """The 64 lowercase hex digits of a packed value; ValueError if it is not one."""
    if not _PACKED.fullmatch(value):
        raise ValueError(gettext("expected <hash>:<salt> packed in base64"))
    try:
        return base64.b64decode(value + "=", validate=True).hex()
    except binascii.Error:
        raise ValueError(gettext("expected <hash>:<salt> packed in base64"))


def zencart_sha256(password, salt_hex):
    return hashlib.sha256(salt_hex.encode() + password.encode()).hexdigest()


def cscart_md5(password, salt):
    if not salt:
        return hashlib.md5(password.encode()).hexdigest()
    inner = hashlib.md5(password.encode()).hexdigest() + hashlib.md5(salt.encode()).hexdigest()
    return hashlib.md5(inner.encode()).hexdigest()


class ZenCartSHA256PasswordHasher(LegacyPasswordHasher):
    """Scheme ``zencart_sha256`` (Zen Cart 1.5): ``zencart_sha256$<hash b64>:<salt b64>``.

    Zen Cart stores ``sha256(salt + password):salt``, hash and salt both 64 hex digits: 129
    characters, which with the prefix would not fit Django's 128-character column. So both are
    packed: each as the base64 of its 32 bytes, 43 characters without padding (102 in all). The
    salt enters the hash as Zen Cart used it, as its 64 lowercase hex digits.
    """

    algorithm = "zencart_sha256"
    scheme = "zencart_sha256"
    cost = FAST

    def to_body(self, stored, salt):
        digest, salt_hex = salted_body(stored, salt, ZENCART_HEX).split(":", 1)
        if not _LOWER_HEX.fullmatch(salt_hex):
            raise ValueError(gettext("the Zen Cart salt is 64 lowercase hexadecimal characters"))
        return f"{pack_hex(digest)}:{pack_hex(salt_hex)}"

    def split(self, body):
        digest, colon, packed_salt = body.partition(":")
        if not colon:
            raise ValueError(gettext("expected <hash>:<salt> packed in base64"))
        unpack_hex(packed_salt)
        return unpack_hex(digest), packed_salt

    def digest(self, password, rest):
        return zencart_sha256(password, unpack_hex(rest))


class CSCartPasswordHasher(LegacyPasswordHasher):
    """Scheme ``cscart`` (CS-Cart and Multi-Vendor, salted md5 releases): ``cscart$<hex>:<salt>``.

    hex = md5(md5(password) + md5(salt)), each inner md5 as hex text; an empty salt means
    md5(password). The salt is in its own column (``cscart_users.salt``). Releases that store
    PHP's bcrypt (``$2y$``) are ``bcrypt_php``.
    """

    algorithm = "cscart"
    scheme = "cscart"
    cost = FAST

    def to_body(self, stored, salt):
        return salted_body(stored, salt, 32)

    def split(self, body):
        return split_digest_and_salt(body, 32)

    def digest(self, password, rest):
        return cscart_md5(password, rest)
