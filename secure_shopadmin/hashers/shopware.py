"""Shopware 5's ``Sha256`` and ``LegacyBackendMd5`` password encoders (``s_user.encoder``)."""

import hashlib
import re

from django.utils.translation import gettext

from .base import FAST, MEDIUM, LegacyPasswordHasher, UnsaltedHexMixin, hex_digest, require_no_salt

#: the static salt of Shopware's LegacyBackendMd5 encoder, the same in every installation
LEGACY_BACKEND_SALT = b"A9ASD:_AD!_=%a8nx0asssblPlasS$"
#: Shopware writes 1000; a stored count past this would make one login stall the server
MAX_ITERATIONS = 100_000
_ITERATIONS = re.compile(r"[1-9][0-9]{0,5}|0")


def shopware_sha256(password, iterations, salt):
    """Shopware's Sha256 encoder: ``iterations + 1`` rounds of sha256(previous hex + password + salt)."""
    value, tail = b"", password.encode() + salt.encode()
    for _ in range(iterations + 1):
        value = hashlib.sha256(value + tail).hexdigest().encode()
    return value.decode()


def legacy_backend_md5(password):
    return hashlib.md5(LEGACY_BACKEND_SALT + hashlib.md5(password.encode()).hexdigest().encode()).hexdigest()


def parse_sha256_rest(rest):
    """(iterations, salt) of ``<iterations>:<salt>``; ValueError if malformed."""
    iterations, colon, salt = rest.partition(":")
    if not colon or not _ITERATIONS.fullmatch(iterations) or ":" in salt:
        raise ValueError(gettext("expected <iterations>:<salt>:<hash>"))
    if int(iterations) > MAX_ITERATIONS:
        raise ValueError(gettext("Shopware iterations must be at most %(high)d") % {"high": MAX_ITERATIONS})
    return int(iterations), salt


class Shopware5SHA256PasswordHasher(LegacyPasswordHasher):
    """Scheme ``shopware5_sha256``: ``shopware5_sha256$<iterations>:<salt>:<hex>``, as Shopware 5 stores it.

    hex = h(iterations), where h(-1) = "" and h(i) = sha256(h(i - 1) + password + salt) as hex
    text: ``iterations + 1`` rounds (Shopware writes 1000 and a 22-character salt).
    """

    algorithm = "shopware5_sha256"
    scheme = "shopware5_sha256"
    cost = MEDIUM

    def to_body(self, stored, salt):
        require_no_salt(self.scheme, salt)
        digest, rest = self.split(stored)
        return f"{rest}:{digest}"

    def split(self, body):
        rest, colon, digest = body.rpartition(":")
        if not colon:
            raise ValueError(gettext("expected <iterations>:<salt>:<hash>"))
        parse_sha256_rest(rest)
        return hex_digest(digest, 64), rest

    def digest(self, password, rest):
        return shopware_sha256(password, *parse_sha256_rest(rest))


class Shopware5MD5PasswordHasher(UnsaltedHexMixin, LegacyPasswordHasher):
    """Scheme ``shopware5_md5`` (Shopware's ``LegacyBackendMd5``): ``shopware5_md5$<hex>``.

    hex = md5("A9ASD:_AD!_=%a8nx0asssblPlasS$" + md5(password) as hex text); the salt is the
    same in every Shopware installation.
    """

    algorithm = "shopware5_md5"
    scheme = "shopware5_md5"
    hex_length = 32
    cost = FAST

    def digest(self, password, rest):
        return legacy_backend_md5(password)
