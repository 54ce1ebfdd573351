"""Magento 2 customer and admin hashes, with their chains of hash versions."""

import hashlib
import re
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from django.utils.translation import gettext

from .base import FAST, SLOW, LegacyPasswordHasher, hex_digest, require_no_salt, require_printable

SODIUM_SALT_BYTES = 16
#: version 2: crypto_sign_SEEDBYTES, OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE
SODIUM_INTERACTIVE = (32, 2, 64 * 1024 * 1024)
_AGNOSTIC = re.compile(r"3_(\d{1,3})_(\d{1,3})_(\d{1,12})")
HASH_LENGTHS = (16, 64)
MAX_OPS = 10
MEMORY_BYTES = (8 * 1024, 1024 * 1024 * 1024)


@dataclass(frozen=True)
class Version:
    """One step of a Magento hash chain: ``md5``, ``sha256`` or ``argon2id`` with libsodium's parameters."""

    kind: str
    hash_bytes: int = 0
    ops: int = 0
    memory_bytes: int = 0

    @property
    def hex_length(self):
        return {"md5": 32, "sha256": 64}.get(self.kind, 2 * self.hash_bytes)


def parse_version(token):
    if token == "0":
        return Version("md5")
    if token == "1":
        return Version("sha256")
    if token == "2":
        return Version("argon2id", *SODIUM_INTERACTIVE)
    match = _AGNOSTIC.fullmatch(token)
    if not match:
        raise ValueError(gettext("unknown Magento hash version %(version)r") % {"version": token})
    version = Version("argon2id", *map(int, match.groups()))
    if not (HASH_LENGTHS[0] <= version.hash_bytes <= HASH_LENGTHS[1] and 1 <= version.ops <= MAX_OPS
            and MEMORY_BYTES[0] <= version.memory_bytes <= MEMORY_BYTES[1]):
        raise ValueError(gettext("Magento argon2 parameters out of range in %(version)r") % {"version": token})
    return version


def parse_rest(rest):
    """(salt, [Version, ...]) of ``<salt>:<version>[:<version>...]``."""
    salt, colon, chain = rest.partition(":")
    if not colon or not chain:
        raise ValueError(gettext("expected <hash>:<salt>:<version>[:<version>...]"))
    versions = [parse_version(token) for token in chain.split(":")]
    if not salt and any(v.kind == "argon2id" for v in versions):
        raise ValueError(gettext("a Magento argon2 hash needs its salt"))
    return salt, versions


def sodium_salt(salt):
    """The salt as Magento hands it to libsodium: cut, or repeated, to 16 bytes."""
    salt = salt.encode()
    return (salt * -(-SODIUM_SALT_BYTES // len(salt)))[:SODIUM_SALT_BYTES]


def magento_hash(password, salt, versions):
    """Apply each version in turn, starting from the password, as Magento's Encryptor does."""
    value = password.encode()
    for version in versions:
        if version.kind == "md5":
            value = hashlib.md5(salt.encode() + value).hexdigest().encode()
        elif version.kind == "sha256":
            value = hashlib.sha256(salt.encode() + value).hexdigest().encode()
        else:
            value = hash_secret_raw(
                value, sodium_salt(salt), time_cost=version.ops, memory_cost=version.memory_bytes // 1024,
                parallelism=1, hash_len=version.hash_bytes, type=Type.ID, version=19,
            ).hex().encode()
    return value.decode()


class Magento2PasswordHasher(LegacyPasswordHasher):
    """Scheme ``magento2``: ``magento2$<hash>:<salt>:<version>[:<version>...]``.

    Versions: ``0`` md5(salt + value), ``1`` sha256(salt + value), ``2`` libsodium argon2id
    (32 bytes, ops 2, 64 MiB), ``3_<bytes>_<ops>_<memory bytes>`` argon2id with those parameters;
    the argon2 salt is the salt cut or repeated to 16 bytes. A chain (``1:3_32_2_67108864``, left by
    an upgrade) is applied left to right starting from the password. Chains of 0 and 1 only are fast.
    """

    algorithm = "magento2"
    scheme = "magento2"

    def to_body(self, stored, salt):
        require_no_salt(self.scheme, salt)
        self.split(require_printable(stored))
        digest, _, rest = stored.partition(":")
        return f"{digest.lower()}:{rest}"

    def split(self, body):
        digest, colon, rest = body.partition(":")
        if not colon:
            raise ValueError(gettext("expected <hash>:<salt>:<version>[:<version>...]"))
        _, versions = parse_rest(rest)
        return hex_digest(digest, versions[-1].hex_length), rest

    def digest(self, password, rest):
        salt, versions = parse_rest(rest)
        return magento_hash(password, salt, versions)

    def cost_of(self, rest):
        _, versions = parse_rest(rest)
        return SLOW if any(v.kind == "argon2id" for v in versions) else FAST
