"""bcrypt as PHP's ``password_hash()`` and WordPress 6.8+ store it."""

import base64
import hashlib
import hmac
import re

import bcrypt
from django.utils.translation import gettext

from .base import SLOW, LegacyPasswordHasher, SelfContainedMixin, require_no_salt

# The salt's last character carries 2 bits, so PHP writes only one of these four there.
_PHP_BCRYPT = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{21}[.Oeu][./A-Za-z0-9]{31}")
SETTING_LENGTH = 29  # $2y$10$ + 22 salt characters
MIN_COST, MAX_COST = 4, 16
BCRYPT_MAX_BYTES = 72
WORDPRESS_PREFIX = "$wp"
WORDPRESS_MAX_PASSWORD_BYTES = 4096
WORDPRESS_HMAC_KEY = b"wp-sha384"


def check_bcrypt_value(value):
    match = _PHP_BCRYPT.fullmatch(value)
    if not match:
        raise ValueError(gettext("expected a $2y$, $2a$ or $2b$ bcrypt hash of 60 characters"))
    if not MIN_COST <= int(match[1]) <= MAX_COST:
        raise ValueError(
            gettext("bcrypt cost must be between %(low)d and %(high)d") % {"low": MIN_COST, "high": MAX_COST}
        )
    return value


def php_bcrypt(password, setting):
    """What PHP's crypt() gives for ``password`` (bytes) and ``setting``: only the first 72 bytes count.

    The bcrypt package refuses longer passwords, so they are cut here as PHP does; a NUL byte, which
    PHP's bcrypt would silently end the password at, is refused.
    """
    if b"\x00" in password:
        raise ValueError("NUL in a bcrypt password")
    return bcrypt.hashpw(password[:BCRYPT_MAX_BYTES], setting.encode()).decode()


def wordpress_prehash(password):
    """base64(hmac_sha384(key="wp-sha384", msg=password)), what WordPress 6.8+ hands to bcrypt."""
    password = password.encode()
    if len(password) > WORDPRESS_MAX_PASSWORD_BYTES:
        raise ValueError("password too long for WordPress")
    return base64.b64encode(hmac.new(WORDPRESS_HMAC_KEY, password, hashlib.sha384).digest())


class PHPBcryptPasswordHasher(LegacyPasswordHasher):
    """Scheme ``bcrypt_php``: ``bcrypt_php$$2y$<cost>$<salt 22><hash 31>`` from PHP's password_hash().

    ``$2a$`` and ``$2b$`` too. Passwords past 72 bytes are cut to 72, as PHP does.
    """

    algorithm = "bcrypt_php"
    scheme = "bcrypt_php"
    cost = SLOW

    def to_body(self, stored, salt):
        require_no_salt(self.scheme, salt)
        return check_bcrypt_value(stored)

    def split(self, body):
        check_bcrypt_value(body)
        return body[SETTING_LENGTH:], body[:SETTING_LENGTH]

    def digest(self, password, rest):
        return php_bcrypt(password.encode(), rest)[SETTING_LENGTH:]


class WordPressBcryptPasswordHasher(SelfContainedMixin, LegacyPasswordHasher):
    """Scheme ``wordpress_bcrypt`` (WordPress 6.8+): ``wordpress_bcrypt$$wp$2y$<cost>$<salt 22><hash 31>``.

    bcrypt over base64(hmac_sha384(key="wp-sha384", msg=password)); passwords over 4096 bytes
    never match, as in wp_check_password().
    """

    algorithm = "wordpress_bcrypt"
    scheme = "wordpress_bcrypt"
    cost = SLOW

    def split(self, body):
        if not body.startswith(WORDPRESS_PREFIX):
            raise ValueError(gettext("expected a WordPress $wp$2y$ hash"))
        setting_end = len(WORDPRESS_PREFIX) + SETTING_LENGTH
        check_bcrypt_value(body[len(WORDPRESS_PREFIX):])
        return body[setting_end:], body[:setting_end]

    def digest(self, password, rest):
        return php_bcrypt(wordpress_prehash(password), rest[len(WORDPRESS_PREFIX):])[SETTING_LENGTH:]
