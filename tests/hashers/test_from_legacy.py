import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from secure_shopadmin.hashers import from_legacy
from secure_shopadmin.hashers.legacy_make import legacy_hash, make_legacy_password
from secure_shopadmin.hashers.schemes import SCHEMES, legacy_hasher
from secure_shopadmin.hashers.wrapped import Argon2Params, assemble, wrap_input

MD5_OF_PASSWORD = "5f4dcc3b5aa765d61d8327deb882cf99"
BCRYPT = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"
LARGEST_PARAMS = Argon2Params(99, 9_999_999, 99)


def test_keeps_the_old_value_behind_an_algorithm_prefix():
    assert from_legacy("md5", MD5_OF_PASSWORD) == f"legacy_md5${MD5_OF_PASSWORD}"
    assert from_legacy("md5_salted", MD5_OF_PASSWORD, "s4") == f"md5_salted${MD5_OF_PASSWORD}:s4"
    assert from_legacy("bcrypt_php", BCRYPT) == f"bcrypt_php${BCRYPT}"


def test_hex_is_lowercased_and_surrounding_whitespace_dropped():
    assert from_legacy("md5", f"  {MD5_OF_PASSWORD.upper()}\n") == f"legacy_md5${MD5_OF_PASSWORD}"


def test_unknown_scheme_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown legacy scheme 'crc32'.*md5, sha1"):
        from_legacy("crc32", MD5_OF_PASSWORD)


@pytest.mark.parametrize(("scheme", "stored", "salt"), [
    ("md5", MD5_OF_PASSWORD[:-1], ""),
    ("md5", MD5_OF_PASSWORD[:-1] + "g", ""),
    ("md5", MD5_OF_PASSWORD, "a salt"),
    ("sha1", MD5_OF_PASSWORD, ""),
    ("sha256", "", ""),
    ("md5_salted", MD5_OF_PASSWORD + ":inline", "and separate"),
    ("md5_salted", "nothex:salt", ""),
    ("md5_salted", MD5_OF_PASSWORD, "tab\tin salt"),
    ("opencart", "a" * 39, "salt"),
    ("magento2", f"{'a' * 64}:salt", ""),
    ("magento2", f"{'a' * 64}:salt:9", ""),
    ("magento2", f"{'a' * 32}:salt:1", ""),
    ("magento2", f"{'a' * 64}::2", ""),
    ("magento2", f"{'a' * 64}:salt:3_32_2_99999999999", ""),
    ("magento2", f"{'a' * 64}:salt:3_32_50_67108864", ""),
    ("phpass", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L", ""),
    ("phpass", "$X$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", ""),
    ("phpass", "$P$zIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", ""),
    ("bcrypt_php", BCRYPT[:-1], ""),
    ("bcrypt_php", BCRYPT.replace("$10$", "$31$"), ""),
    ("bcrypt_php", BCRYPT.replace("$2y$", "$2x$"), ""),
    ("bcrypt_php", "$2y$07$usesomesillystringfors2uDLvp1Ii2e./U9C8sBjqp8I90dH6hi", ""),
    ("wordpress_bcrypt", BCRYPT, ""),
    ("md5", None, ""),
])
def test_malformed_values_are_refused(scheme, stored, salt):
    with pytest.raises(ValueError):
        from_legacy(scheme, stored, salt)


def test_errors_name_the_scheme_and_the_problem():
    with pytest.raises(ValueError, match="^sha1: expected 40 hexadecimal characters$"):
        from_legacy("sha1", MD5_OF_PASSWORD)


@pytest.mark.parametrize(("scheme", "pepper"), [("eccube", "eccube"), ("eccube_sha1", "eccube"),
                                                ("prestashop", "prestashop")])
def test_a_missing_pepper_names_the_setting(scheme, pepper, settings):
    settings.SECURE_SHOPADMIN = {}
    stored = "a" * {"eccube": 64, "eccube_sha1": 40, "prestashop": 32}[scheme]
    with pytest.raises(ImproperlyConfigured, match=rf'SECURE_SHOPADMIN\["LEGACY_PEPPERS"\]\["{pepper}"\]'):
        from_legacy(scheme, stored, "")


def test_a_missing_pepper_fails_the_check_loudly(peppers, settings):
    encoded = make_legacy_password("prestashop", "pw")
    settings.SECURE_SHOPADMIN = {"LEGACY_PEPPERS": {}}
    with pytest.raises(ImproperlyConfigured, match="prestashop"):
        legacy_hasher("prestashop").verify("pw", encoded)


def test_a_value_that_could_not_be_wrapped_in_128_characters_is_refused():
    salt = "s" * 60
    stored = hashlib.md5((salt + "pw").encode()).hexdigest()
    with pytest.raises(ValueError, match="128-character password column"):
        from_legacy("md5_salted", stored, salt)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_fits_the_column_and_so_does_its_wrapped_form(scheme, peppers):
    options = {"magento_versions": "0:1"} if scheme == "magento2" else {}
    salt = {"md5_salted": "m" * 32, "magento2": "M" * 32, "eccube": "e" * 32, "opencart": "o" * 32}.get(scheme)
    encoded = from_legacy(scheme, *legacy_hash(scheme, "pw", salt, bcrypt_cost=4, **options))
    assert len(encoded) <= 128
    if legacy_hasher(scheme).cost != "slow":
        scheme_name, _, rest = wrap_input(encoded)
        # the longest parameters' text; the tag's value does not change the length
        assert len(assemble(scheme_name, rest, LARGEST_PARAMS, bytes(16), bytes(16))) <= 128


def test_magento_argon2_upgrade_chain_fits():
    stored = f"{'a' * 64}:{'M' * 32}:0:1:3_32_2_67108864"
    assert len(from_legacy("magento2", stored)) <= 128
