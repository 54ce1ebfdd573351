"""Fast hashes of named shop platforms: salted MD5, EC-CUBE, PrestaShop 1.6 and OpenCart."""

import hashlib
import hmac

from django.utils.translation import gettext

from .base import (
    LegacyPasswordHasher,
    UnsaltedHexMixin,
    hex_digest,
    require_printable,
    split_digest_and_salt,
)
from .peppers import pepper


def salted_body(stored, salt, length):
    """``<hex>:<salt>`` from a value that holds its salt after a colon, or from a separate salt column."""
    if salt:
        if ":" in stored:
            raise ValueError(gettext("give the salt after a colon in the hash or in the salt column, not both"))
        return f"{hex_digest(stored, length)}:{require_printable(salt)}"
    digest, colon, inline_salt = stored.partition(":")
    return f"{hex_digest(digest, length)}:{require_printable(inline_salt)}"


def md5_salted(password, salt):
    return hashlib.md5(salt.encode() + password.encode()).hexdigest()


def eccube_hmac(password, salt, auth_magic):
    key = salt.encode() or auth_magic
    return hmac.new(key, password.encode() + b":" + auth_magic, hashlib.sha256).hexdigest()


def eccube_sha1(password, auth_magic):
    return hashlib.sha1(password.encode() + b":" + auth_magic).hexdigest()


def prestashop_md5(password, cookie_key):
    return hashlib.md5(cookie_key + password.encode()).hexdigest()


def php_htmlspecialchars_compat(text):
    """PHP's ``htmlspecialchars($text, ENT_COMPAT, 'UTF-8')``: & " < > as entities, ' kept."""
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def opencart_sha1(password, salt):
    """What OpenCart stored for a password typed into its forms, which escaped every POST value first."""
    salt = salt.encode()
    inner = hashlib.sha1(php_htmlspecialchars_compat(password).encode()).hexdigest().encode()
    middle = hashlib.sha1(salt + inner).hexdigest().encode()
    return hashlib.sha1(salt + middle).hexdigest()


class SaltedMD5PasswordHasher(LegacyPasswordHasher):
    """Scheme ``md5_salted`` (osCommerce 2.2, Magento 1): ``md5_salted$<hex>:<salt>``, hex = md5(salt + password)."""

    algorithm = "md5_salted"
    scheme = "md5_salted"

    def to_body(self, stored, salt):
        return salted_body(stored, salt, 32)

    def split(self, body):
        return split_digest_and_salt(body, 32)

    def digest(self, password, rest):
        return md5_salted(password, rest)


class ECCubePasswordHasher(LegacyPasswordHasher):
    """Scheme ``eccube`` (EC-CUBE 2.11+, 3, 4): ``eccube$<hex>:<salt>``.

    hex = hmac_sha256(key=salt, msg=password + ":" + AUTH_MAGIC); an empty salt makes AUTH_MAGIC the key.
    AUTH_MAGIC is ``LEGACY_PEPPERS["eccube"]``.
    """

    algorithm = "eccube"
    scheme = "eccube"
    peppers = ("eccube",)

    def to_body(self, stored, salt):
        return salted_body(stored, salt, 64)

    def split(self, body):
        return split_digest_and_salt(body, 64)

    def digest(self, password, rest):
        return eccube_hmac(password, rest, pepper("eccube"))


class ECCubeSHA1PasswordHasher(UnsaltedHexMixin, LegacyPasswordHasher):
    """Scheme ``eccube_sha1`` (EC-CUBE before 2.11): ``eccube_sha1$<hex>``, hex = sha1(password + ":" + AUTH_MAGIC)."""

    algorithm = "eccube_sha1"
    scheme = "eccube_sha1"
    hex_length = 40
    peppers = ("eccube",)

    def digest(self, password, rest):
        return eccube_sha1(password, pepper("eccube"))


class PrestaShopPasswordHasher(UnsaltedHexMixin, LegacyPasswordHasher):
    """Scheme ``prestashop`` (PrestaShop 1.6 and older): ``prestashop$<hex>``, hex = md5(_COOKIE_KEY_ + password).

    _COOKIE_KEY_ is ``LEGACY_PEPPERS["prestashop"]``.
    """

    algorithm = "prestashop"
    scheme = "prestashop"
    hex_length = 32
    peppers = ("prestashop",)

    def digest(self, password, rest):
        return prestashop_md5(password, pepper("prestashop"))


class OpenCartPasswordHasher(LegacyPasswordHasher):
    """Scheme ``opencart`` (OpenCart 1.5-3): ``opencart$<hex>:<salt>``.

    hex = sha1(salt + sha1(salt + sha1(password))), each inner sha1 as hex text, of the password as
    OpenCart's request cleaning left it: ``htmlspecialchars(password, ENT_COMPAT, 'UTF-8')``.
    """

    algorithm = "opencart"
    scheme = "opencart"

    def to_body(self, stored, salt):
        return salted_body(stored, salt, 40)

    def split(self, body):
        return split_digest_and_salt(body, 40)

    def digest(self, password, rest):
        return opencart_sha1(password, rest)
