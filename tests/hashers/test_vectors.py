"""Every scheme against vectors computed here with hashlib/hmac/bcrypt/argon2-cffi, or published by the platforms.

None of the expected values comes from secure_shopadmin's own code.
"""

import base64
import hashlib
import hmac

import bcrypt
import pytest
from argon2.low_level import Type, hash_secret_raw
from django.contrib.auth.hashers import check_password, identify_hasher

from secure_shopadmin.hashers import from_legacy

from .conftest import AUTH_MAGIC, COOKIE_KEY

UNICODE_PASSWORD = "pässwörd 日本語 🔑"


def md5(data):
    return hashlib.md5(data.encode() if isinstance(data, str) else data).hexdigest()


def sha1(data):
    return hashlib.sha1(data.encode() if isinstance(data, str) else data).hexdigest()


def sha256(data):
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def php_bcrypt(password_bytes, cost=4):
    return "$2y$" + bcrypt.hashpw(password_bytes[:72], bcrypt.gensalt(cost)).decode()[4:]


def sodium_argon2id_hex(data, salt16, ops, mem_bytes, outlen=32):
    return hash_secret_raw(data, salt16, time_cost=ops, memory_cost=mem_bytes // 1024, parallelism=1,
                           hash_len=outlen, type=Type.ID, version=19).hex()


def assert_checks(scheme, stored, salt, right, wrong):
    encoded = from_legacy(scheme, stored, salt)
    assert identify_hasher(encoded).scheme == scheme
    assert check_password(right, encoded) is True
    assert check_password(wrong, encoded) is False
    if right:
        assert check_password("", encoded) is False


# --- published vectors -------------------------------------------------------------------------

PUBLISHED = [
    # well-known digests of "password"
    ("md5", "5f4dcc3b5aa765d61d8327deb882cf99", "", "password"),
    ("sha1", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", "", "password"),
    ("sha256", "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "", "password"),
    # phpass's own test.php, and its phpBB $H$ form
    ("phpass", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "", "test12345"),
    ("phpass", "$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00", "", "test1"),
    ("phpass", "$P$912345678LIjjb6PhecupozNBmDndU0", "", "thisisalongertestPW"),
    ("phpass", "$P$612345678si5M0DDyPpmRCmcltU/YW/", "", "JohnRipper"),
    ("phpass", "$P$ByXWbzDvVAJ0jxvNp5sv4xYPIRXJJ1.", "", "ąćęłóńśźż"),
    ("phpass", "$P$BVaXtDXwf/ceSVp8VpLKx8bS2Y4O5F/", "", "123456"),
    # PHP manual: password_verify() and crypt() examples
    ("bcrypt_php", "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "", "rasmuslerdorf"),
    ("bcrypt_php", "$2y$07$usesomesillystringfore2uDLvp1Ii2e./U9C8sBjqp8I90dH6hi", "", "rasmuslerdorf"),
    # a WordPress 6.8 admin hash, checked with PHP's password_verify by its publisher
    ("wordpress_bcrypt", "$wp$2y$10$Q1xinFjrZeLWJBvxviIL6u834Fu.evIEFHAUVisQ5O.w9Dm0sMdES", "", "admin"),
    # Magento 2.4 sample data (customer fixtures)
    ("magento2", "abf1de8d537a1270237b9b56c8db9c67aeece6d89639a64d5ffd7264262541ab:"
                 "PNK7gwTSnTc9L8AXZEvgZQ4SA66qirus:3_32_2_67108864", "", "Password@2022"),
]


@pytest.mark.parametrize(("scheme", "stored", "salt", "password"), PUBLISHED)
def test_published_vectors(scheme, stored, salt, password):
    assert_checks(scheme, stored, salt, password, password + "x")


# --- computed vectors --------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD, ""])
@pytest.mark.parametrize(("scheme", "digest"), [("md5", md5), ("sha1", sha1), ("sha256", sha256)])
def test_unsalted(scheme, digest, password):
    assert_checks(scheme, digest(password), "", password, password + "!")


@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD])
@pytest.mark.parametrize("salt", ["x7", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", ""])
def test_md5_salted_inline_and_separate_salt(salt, password):
    stored = md5(salt + password)
    assert_checks("md5_salted", f"{stored}:{salt}", "", password, password.upper())
    if salt:
        assert_checks("md5_salted", stored, salt, password, password.upper())


@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD])
@pytest.mark.parametrize("salt", ["ab12cd34ef", ""])
def test_eccube(peppers, salt, password):
    key = salt.encode() or AUTH_MAGIC.encode()
    stored = hmac.new(key, f"{password}:{AUTH_MAGIC}".encode(), hashlib.sha256).hexdigest()
    assert_checks("eccube", stored, salt, password, password + " ")


@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD])
def test_eccube_sha1(peppers, password):
    assert_checks("eccube_sha1", sha1(f"{password}:{AUTH_MAGIC}"), "", password, password[:-1])


@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD])
def test_prestashop(peppers, password):
    assert_checks("prestashop", md5(COOKIE_KEY + password), "", password, password + "1")


@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD])
@pytest.mark.parametrize("salt", ["Zk3x9QaP1", ""])
def test_opencart(salt, password):
    stored = sha1(salt + sha1(salt + sha1(password)))
    assert_checks("opencart", stored, salt, password, password + "1")


def test_opencart_hashed_what_its_form_made_of_the_password():
    """OpenCart's Request::clean() ran htmlspecialchars($_POST, ENT_COMPAT, 'UTF-8') before hashing:
    & " < > became entities, ' stayed."""
    typed, escaped, salt = """a&b"c<d>e'f""", "a&amp;b&quot;c&lt;d&gt;e'f", "Zk3x9QaP1"
    stored = sha1(salt + sha1(salt + sha1(escaped)))
    assert_checks("opencart", stored, salt, typed, escaped)


def test_pepper_is_part_of_the_hash(peppers, settings):
    stored = md5(COOKIE_KEY + "secret")
    encoded = from_legacy("prestashop", stored)
    settings.SECURE_SHOPADMIN = {"LEGACY_PEPPERS": {"prestashop": "another shop's key", "eccube": AUTH_MAGIC}}
    assert check_password("secret", encoded) is False


# --- Magento 2 ---------------------------------------------------------------------------------

MAGENTO_SALT = "PNK7gwTSnTc9L8AXZEvgZQ4SA66qirus"


@pytest.mark.parametrize("password", ["Password@2022", UNICODE_PASSWORD])
def test_magento_fast_versions(password):
    v0 = md5(MAGENTO_SALT + password)
    v1 = sha256(MAGENTO_SALT + password)
    assert_checks("magento2", f"{v0}:{MAGENTO_SALT}:0", "", password, password + "?")
    assert_checks("magento2", f"{v1}:{MAGENTO_SALT}:1", "", password, password + "?")
    # customer:hash:upgrade rehashes a stored md5 with sha256: version chain 0:1
    chained = sha256(MAGENTO_SALT + md5(MAGENTO_SALT + password))
    assert_checks("magento2", f"{chained}:{MAGENTO_SALT}:0:1", "", password, password + "?")


def test_magento_version_2_uses_libsodium_interactive_parameters():
    password = "Password@2022"
    stored = sodium_argon2id_hex(password.encode(), MAGENTO_SALT[:16].encode(), 2, 67108864)
    assert_checks("magento2", f"{stored}:{MAGENTO_SALT}:2", "", password, "password@2022")


def test_magento_argon2_chain_with_parameters_from_the_version():
    password = UNICODE_PASSWORD
    v1 = sha256(MAGENTO_SALT + password)
    stored = sodium_argon2id_hex(v1.encode(), MAGENTO_SALT[:16].encode(), 1, 65536, outlen=24)
    assert_checks("magento2", f"{stored}:{MAGENTO_SALT}:1:3_24_1_65536", "", password, password + "?")


def test_magento_short_salt_is_repeated_to_16_bytes():
    password = "hunter2"
    stored = sodium_argon2id_hex(password.encode(), b"abcdeabcdeabcdea", 1, 65536)
    assert_checks("magento2", f"{stored}:abcde:3_32_1_65536", "", password, "hunter3")


# --- bcrypt ------------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["$2y$", "$2a$", "$2b$"])
@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD])
def test_bcrypt_php(prefix, password):
    stored = prefix + php_bcrypt(password.encode())[4:]
    assert_checks("bcrypt_php", stored, "", password, password + "x")


def test_bcrypt_php_cuts_passwords_at_72_bytes_as_php_does():
    long_password = "é" * 40  # 80 bytes in UTF-8; PHP uses the first 72 (36 é)
    stored = php_bcrypt(long_password.encode())
    encoded = from_legacy("bcrypt_php", stored)
    assert check_password(long_password, encoded) is True
    assert check_password("é" * 36 + "anything after byte 72", encoded) is True
    assert check_password("é" * 35, encoded) is False
    assert check_password("e" * 300, encoded) is False  # never raises, whatever the length


def test_bcrypt_php_refuses_a_nul_byte_without_raising():
    encoded = from_legacy("bcrypt_php", php_bcrypt(b"abc"))
    assert check_password("abc\x00def", encoded) is False


@pytest.mark.parametrize("password", ["correct horse", UNICODE_PASSWORD, "x" * 200])
def test_wordpress_bcrypt(password):
    prehash = base64.b64encode(hmac.new(b"wp-sha384", password.encode(), hashlib.sha384).digest())
    stored = "$wp" + php_bcrypt(prehash)
    assert_checks("wordpress_bcrypt", stored, "", password, password[:-1])


def test_wordpress_bcrypt_refuses_passwords_over_4096_bytes():
    password = "a" * 4097
    prehash = base64.b64encode(hmac.new(b"wp-sha384", password.encode(), hashlib.sha384).digest())
    encoded = from_legacy("wordpress_bcrypt", "$wp" + php_bcrypt(prehash))
    assert check_password(password, encoded) is False
