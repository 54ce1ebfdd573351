"""phpass portable hashes (WordPress before 6.8, phpBB 3, osCommerce 2.3)."""

import hashlib

from django.utils.translation import gettext

from .base import MEDIUM, LegacyPasswordHasher, SelfContainedMixin

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SETTING_LENGTH = 12  # $P$ + rounds character + 8 salt characters
CHECKSUM_LENGTH = 22
#: phpass accepts 2**7 to 2**30 rounds; past 2**20 one login would stall the server
MIN_LOG2_ROUNDS, MAX_LOG2_ROUNDS = 7, 20
#: phpass refuses longer passwords
MAX_PASSWORD_BYTES = 4096


def encode64(raw):
    """phpass's base64: 6-bit groups, least significant first, over little-endian 3-byte chunks."""
    out = []
    for start in range(0, len(raw), 3):
        chunk = raw[start:start + 3]
        value = int.from_bytes(chunk, "little")
        out.extend(ITOA64[(value >> shift) & 0x3F] for shift in range(0, 6 * (len(chunk) + 1), 6))
    return "".join(out)


def parse_iterated_setting(setting, *, prefixes, low, high, name, malformed):
    """(log2 count, salt) of a phpass-style setting (``<prefix 3><count char><salt 8>``); ValueError if malformed.

    Shared by phpass (``$P$``, ``$H$``) and Drupal 7 (``$S$``), which took its scheme from phpass.
    """
    if len(setting) != SETTING_LENGTH or setting[:3] not in prefixes:
        raise ValueError(malformed)
    log2_count = ITOA64.find(setting[3])
    if not low <= log2_count <= high:
        raise ValueError(
            gettext("%(name)s hash count must be between 2^%(low)d and 2^%(high)d")
            % {"name": name, "low": low, "high": high}
        )
    salt = setting[4:]
    if any(char not in ITOA64 for char in salt):
        raise ValueError(gettext("the %(name)s salt has characters outside its alphabet") % {"name": name})
    return log2_count, salt


def iterate(hash_function, salt, password, log2_count):
    """hash(salt + password), then 2**log2_count times hash(previous + password): the digest bytes."""
    digest = hash_function(salt.encode() + password).digest()
    for _ in range(1 << log2_count):
        digest = hash_function(digest + password).digest()
    return digest


def parse_setting(setting):
    """(log2 rounds, salt) of a ``$P$``/``$H$`` setting; ValueError if malformed."""
    malformed = gettext("expected a $P$ or $H$ phpass hash of 34 characters")
    return parse_iterated_setting(setting, prefixes=("$P$", "$H$"), low=MIN_LOG2_ROUNDS, high=MAX_LOG2_ROUNDS,
                                  name="phpass", malformed=malformed)


def phpass_checksum(password, setting):
    """The 22-character checksum phpass appends to ``setting`` for ``password``."""
    password = password.encode()
    if len(password) > MAX_PASSWORD_BYTES:
        raise ValueError("password too long for phpass")
    log2_rounds, salt = parse_setting(setting)
    return encode64(iterate(hashlib.md5, salt, password, log2_rounds))


class PhpassPasswordHasher(SelfContainedMixin, LegacyPasswordHasher):
    """Scheme ``phpass``: ``phpass$$P$<rounds><salt 8><checksum 22>`` (``$H$`` too, the same algorithm).

    md5(salt + password), then 2**rounds times md5(previous + password), encoded in phpass's base64.
    """

    algorithm = "phpass"
    scheme = "phpass"
    cost = MEDIUM

    def split(self, body):
        setting, checksum = body[:SETTING_LENGTH], body[SETTING_LENGTH:]
        parse_setting(setting)
        if len(checksum) != CHECKSUM_LENGTH or any(char not in ITOA64 for char in checksum):
            raise ValueError(gettext("expected a $P$ or $H$ phpass hash of 34 characters"))
        return checksum, setting

    def digest(self, password, rest):
        return phpass_checksum(password, rest)
