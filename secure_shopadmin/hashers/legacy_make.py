"""Make legacy hashes from plain passwords -- for seeding demo data and for tests ONLY.

A real shop never needs this: its members' old hashes come from the old platform's export
(``import_legacy_users``). Nothing in the app calls it; the hashers themselves refuse to create
legacy hashes. ::

    from secure_shopadmin.hashers.legacy_make import make_legacy_password
    user.password = make_legacy_password("md5_salted", "old password")
"""

import hashlib
import secrets

import bcrypt

from .bcrypt_php import wordpress_prehash
from .carts import cscart_md5, zencart_sha256
from .drupal import drupal7_checksum
from .legacy import from_legacy
from .magento import magento_hash, parse_rest
from .peppers import pepper
from .phpass import ITOA64, phpass_checksum
from .platforms import eccube_hmac, eccube_sha1, md5_salted, opencart_sha1, prestashop_md5
from .shopware import legacy_backend_md5, shopware_sha256

#: what each platform writes today
DEFAULT_MAGENTO_VERSIONS = "3_32_2_67108864"
DEFAULT_BCRYPT_COST = 10
DEFAULT_PHPASS_ROUNDS_CHAR = "B"  # 2**13, WordPress's
DEFAULT_DRUPAL_COUNT_CHAR = "D"  # 2**15, Drupal 7's
DEFAULT_SHOPWARE_ITERATIONS = 1000


def _random_salt(length):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _php_bcrypt_hash(password_bytes, cost):
    hashed = bcrypt.hashpw(password_bytes[:72], bcrypt.gensalt(cost)).decode()
    return "$2y$" + hashed[4:]


def legacy_hash(scheme, password, salt=None, *, magento_versions=DEFAULT_MAGENTO_VERSIONS,
                bcrypt_cost=DEFAULT_BCRYPT_COST, phpass_rounds=DEFAULT_PHPASS_ROUNDS_CHAR,
                drupal_count=DEFAULT_DRUPAL_COUNT_CHAR, drupal_upgraded=False):
    """(stored, salt) as the old platform would export them for ``password``; the salt is "" when the
    platform keeps none apart. A salt is made up when the scheme needs one and none is given."""
    if scheme in NEWER_PLATFORMS:
        return NEWER_PLATFORMS[scheme](password, salt, drupal_count=drupal_count, drupal_upgraded=drupal_upgraded)
    if scheme in ("md5", "sha1", "sha256"):
        return hashlib.new(scheme, password.encode()).hexdigest(), ""
    if scheme == "md5_salted":
        salt = _random_salt(2) if salt is None else salt
        return f"{md5_salted(password, salt)}:{salt}", ""
    if scheme == "magento2":
        salt = _random_salt(32) if salt is None else salt
        rest = f"{salt}:{magento_versions}"
        return f"{magento_hash(password, *parse_rest(rest))}:{rest}", ""
    if scheme == "phpass":
        setting = "$P$" + phpass_rounds + (salt or "".join(secrets.choice(ITOA64) for _ in range(8)))
        return setting + phpass_checksum(password, setting), ""
    if scheme == "bcrypt_php":
        return _php_bcrypt_hash(password.encode(), bcrypt_cost), ""
    if scheme == "wordpress_bcrypt":
        return "$wp" + _php_bcrypt_hash(wordpress_prehash(password), bcrypt_cost), ""
    if scheme == "eccube":
        salt = _random_salt(10) if salt is None else salt
        return eccube_hmac(password, salt, pepper("eccube")), salt
    if scheme == "eccube_sha1":
        return eccube_sha1(password, pepper("eccube")), ""
    if scheme == "prestashop":
        return prestashop_md5(password, pepper("prestashop")), ""
    if scheme == "opencart":
        salt = _random_salt(9) if salt is None else salt
        return opencart_sha1(password, salt), salt
    raise ValueError(f"unknown legacy scheme {scheme!r}")


def _drupal7(password, salt, *, drupal_count, drupal_upgraded, **options):
    setting = "$S$" + drupal_count + (salt or "".join(secrets.choice(ITOA64) for _ in range(8)))
    secret = hashlib.md5(password.encode()).hexdigest() if drupal_upgraded else password
    stored = setting + drupal7_checksum(secret.encode(), setting)
    return ("U" + stored if drupal_upgraded else stored), ""


def _shopware5_sha256(password, salt, **options):
    salt = _random_salt(22) if salt is None else salt
    return f"{DEFAULT_SHOPWARE_ITERATIONS}:{salt}:{shopware_sha256(password, DEFAULT_SHOPWARE_ITERATIONS, salt)}", ""


def _zencart_sha256(password, salt, **options):
    salt = secrets.token_hex(32) if salt is None else salt
    return f"{zencart_sha256(password, salt)}:{salt}", ""


def _cscart(password, salt, **options):
    salt = _random_salt(10) if salt is None else salt
    return cscart_md5(password, salt), salt


NEWER_PLATFORMS = {
    "drupal7": _drupal7,
    "shopware5_sha256": _shopware5_sha256,
    "shopware5_md5": lambda password, salt, **options: (legacy_backend_md5(password), ""),
    "zencart_sha256": _zencart_sha256,
    "cscart": _cscart,
}


def make_legacy_password(scheme, password, salt=None, **options):
    """The ``User.password`` value an import of ``password``'s old ``scheme`` hash would give."""
    return from_legacy(scheme, *legacy_hash(scheme, password, salt, **options))
