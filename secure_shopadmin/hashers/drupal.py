"""Drupal 7 (and Drupal Commerce) ``$S$`` hashes, and the ``U$S$`` form left by upgrades from Drupal 6."""

import hashlib

from django.utils.translation import gettext

from .base import MEDIUM, LegacyPasswordHasher, SelfContainedMixin
from .phpass import ITOA64, encode64, iterate, parse_iterated_setting

SETTING_LENGTH = 12  # $S$ + count character + 8 salt characters
HASH_LENGTH = 55  # DRUPAL_HASH_LENGTH: the setting and the first 43 characters of the encoded SHA-512
CHECKSUM_LENGTH = HASH_LENGTH - SETTING_LENGTH
UPGRADED_PREFIX = "U"
#: Drupal accepts 2**7 to 2**30 passes; past 2**20 one login would stall the server (Drupal writes 2**15)
MIN_LOG2_COUNT, MAX_LOG2_COUNT = 7, 20
#: DRUPAL_MAX_PASSWORD_LENGTH: _password_crypt() refuses longer passwords
MAX_PASSWORD_BYTES = 512


def parse_setting(setting):
    """(log2 count, salt) of a ``$S$`` setting; ValueError if malformed."""
    return parse_iterated_setting(setting, prefixes=("$S$",), low=MIN_LOG2_COUNT, high=MAX_LOG2_COUNT,
                                  name="Drupal", malformed=gettext("expected a Drupal 7 $S$ hash of 55 characters"))


def drupal7_checksum(password, setting):
    """The 43 characters Drupal's _password_crypt('sha512') appends to ``setting`` for ``password`` (bytes)."""
    if len(password) > MAX_PASSWORD_BYTES:
        raise ValueError("password too long for Drupal")
    log2_count, salt = parse_setting(setting)
    return encode64(iterate(hashlib.sha512, salt, password, log2_count))[:CHECKSUM_LENGTH]


class Drupal7PasswordHasher(SelfContainedMixin, LegacyPasswordHasher):
    """Scheme ``drupal7``: ``drupal7$$S$<count><salt 8><hash 43>`` and ``drupal7$U$S$…``.

    ``$S$``: sha512(salt + password), then 2**count times sha512(previous + password), encoded in
    phpass's base64 and cut to 55 characters with the setting. ``U$S$`` (Drupal 6 hashes upgraded
    by user_update_7000): the same over the hex md5 of the password. ``$P$``/``$H$`` values of a
    Drupal site are phpass: import them as ``phpass``.
    """

    algorithm = "drupal7"
    scheme = "drupal7"
    cost = MEDIUM

    def split(self, body):
        setting_start = len(UPGRADED_PREFIX) if body.startswith(UPGRADED_PREFIX) else 0
        setting_end = setting_start + SETTING_LENGTH
        parse_setting(body[setting_start:setting_end])
        checksum = body[setting_end:]
        if len(checksum) != CHECKSUM_LENGTH or any(char not in ITOA64 for char in checksum):
            raise ValueError(gettext("expected a Drupal 7 $S$ hash of 55 characters"))
        return checksum, body[:setting_end]

    def digest(self, password, rest):
        password = password.encode()
        if rest.startswith(UPGRADED_PREFIX):
            password, rest = hashlib.md5(password).hexdigest().encode(), rest[len(UPGRADED_PREFIX):]
        return drupal7_checksum(password, rest)
