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
from .legacy import from_legacy
from .magento import magento_hash, parse_rest
from .peppers import pepper
from .phpass import ITOA64, phpass_checksum
from .platforms import eccube_hmac, eccube_sha1, md5_salted, opencart_sha1, prestashop_md5

#: what each platform writes today
DEFAULT_MAGENTO_VERSIONS = "3_32_2_67108864"
DEFAULT_BCRYPT_COST = 10
DEFAULT_PHPASS_ROUNDS_CHAR = "B"  # 2**13, WordPress's


def _random_salt(length):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _php_bcrypt_hash(password_bytes, cost):
    hashed = bcrypt.hashpw(password_bytes[:72], bcrypt.gensalt(cost)).decode()
    return "$2y$" + hashed[4:]


def legacy_hash(scheme, password, salt=None, *, magento_versions=DEFAULT_MAGENTO_VERSIONS,
                bcrypt_cost=DEFAULT_BCRYPT_COST, phpass_rounds=DEFAULT_PHPASS_ROUNDS_CHAR):
    """(stored, salt) as the old platform would export them for ``password``; the salt is "" when the
    platform keeps none apart. A salt is made up when the scheme needs one and none is given."""
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


def make_legacy_password(scheme, password, salt=None, **options):
    """The ``User.password`` value an import of ``password``'s old ``scheme`` hash would give."""
    return from_legacy(scheme, *legacy_hash(scheme, password, salt, **options))
