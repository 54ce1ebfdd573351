"""The newer platforms' schemes against vectors from PHP itself (when php-cli is installed), a published
one, and hashlib/hmac code written here from the platforms' documented formulas.

None of the expected values comes from secure_shopadmin's own code.
"""

import base64
import hashlib

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import check_password
from django.test import RequestFactory

from secure_shopadmin.hashers import from_legacy
from secure_shopadmin.hashers.wrapped import Argon2Params, assemble, wrap, wrap_input

from .php import php_vectors, requires_php
from .test_vectors import UNICODE_PASSWORD, assert_checks, md5, sha256

PASSWORDS = ["correct horse", UNICODE_PASSWORD, "a&b<c>'\"d"]
ZEN_SALT = hashlib.sha256(b"zen cart salt").hexdigest()
PHP_CASES = [
    *({"scheme": "drupal7", "password": p, "salt": "Xy3./aB9", "count": "D"} for p in PASSWORDS),
    *({"scheme": "drupal7_upgraded", "password": p, "salt": "k2Lm9.Qz", "count": "C"} for p in PASSWORDS),
    *({"scheme": "shopware5_sha256", "password": p, "salt": "a1B2c3D4e5F6g7H8i9J0kL", "count": "1000"}
      for p in PASSWORDS),
    {"scheme": "shopware5_sha256", "password": "pw", "salt": "short.salt", "count": "7"},
    *({"scheme": "shopware5_md5", "password": p, "salt": "", "count": ""} for p in PASSWORDS),
    *({"scheme": "zencart_sha256", "password": p, "salt": ZEN_SALT, "count": ""} for p in PASSWORDS),
    *({"scheme": "cscart", "password": p, "salt": salt, "count": ""} for p in PASSWORDS for salt in ("aK9!x_#2Lq", "")),
]


def scheme_of(case):
    return "drupal7" if case["scheme"] == "drupal7_upgraded" else case["scheme"]


# --- PHP ------------------------------------------------------------------------------------------

@requires_php
def test_php_vectors_check_right_and_refuse_wrong_passwords(peppers):
    for case, vector in zip(PHP_CASES, php_vectors(PHP_CASES), strict=True):
        assert_checks(scheme_of(case), vector["stored"], vector["salt"], case["password"], case["password"] + "!")


@requires_php
def test_php_vectors_still_check_once_wrapped():
    cases = [case for case in PHP_CASES if case["password"] == "correct horse"]
    for case, vector in zip(cases, php_vectors(cases), strict=True):
        wrapped = wrap(from_legacy(scheme_of(case), vector["stored"], vector["salt"]), Argon2Params(1, 64, 1))
        assert check_password("correct horse", wrapped) is True
        assert check_password("correct horse ", wrapped) is False


@requires_php
@pytest.mark.django_db
def test_a_member_with_a_php_made_hash_logs_in_and_is_upgraded():
    cases = [{"scheme": s, "password": UNICODE_PASSWORD, "salt": salt, "count": count} for s, salt, count in (
        ("drupal7", "Xy3./aB9", "D"), ("drupal7_upgraded", "k2Lm9.Qz", "C"),
        ("shopware5_sha256", "a1B2c3D4e5F6g7H8i9J0kL", "1000"), ("shopware5_md5", "", ""),
        ("zencart_sha256", ZEN_SALT, ""), ("cscart", "aK9!x_#2Lq", ""))]
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.30")
    for number, (case, vector) in enumerate(zip(cases, php_vectors(cases), strict=True)):
        user = get_user_model().objects.create(username=f"php{number}")
        get_user_model().objects.filter(pk=user.pk).update(
            password=from_legacy(scheme_of(case), vector["stored"], vector["salt"]))
        assert authenticate(request, username=f"php{number}", password=UNICODE_PASSWORD + "x") is None
        assert authenticate(request, username=f"php{number}", password=UNICODE_PASSWORD) == user
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$"), case["scheme"]


# --- published ------------------------------------------------------------------------------------

def test_drupal7_published_vector():
    """hashcat's example hash for Drupal 7 (mode 7900), password "hashcat"."""
    assert_checks("drupal7", "$S$C33783772bRXEx1aCsvY.dqgaaSu76XmVlKrW9Qu8IQlvxHlmzLf", "", "hashcat", "hashcaT")


# --- hashlib, from the platforms' formulas -----------------------------------------------------------

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def phpass_base64(raw):
    """Drupal's _password_base64_encode(): the bits of the bytes, least significant first, 6 at a time."""
    bits = int.from_bytes(raw, "little")
    length = (len(raw) * 8 + 5) // 6
    return "".join(ITOA64[(bits >> (6 * k)) & 63] for k in range(length))


def drupal7(password_bytes, count_char, salt):
    digest = hashlib.sha512(salt.encode() + password_bytes).digest()
    for _ in range(2 ** ITOA64.index(count_char)):
        digest = hashlib.sha512(digest + password_bytes).digest()
    return (f"$S${count_char}{salt}" + phpass_base64(digest))[:55]


@pytest.mark.parametrize("password", PASSWORDS)
def test_drupal7(password):
    assert_checks("drupal7", drupal7(password.encode(), "D", "Xy3./aB9"), "", password, password.upper())


@pytest.mark.parametrize("password", PASSWORDS)
def test_drupal7_upgraded_from_drupal6(password):
    stored = "U" + drupal7(md5(password).encode(), "C", "k2Lm9.Qz")
    assert_checks("drupal7", stored, "", password, password + "1")
    assert not check_password(md5(password), from_legacy("drupal7", stored))  # the md5 alone is not the password


def test_drupal7_refuses_passwords_over_512_bytes_as_drupal_does():
    password = "p" * 513
    encoded = from_legacy("drupal7", drupal7(password.encode(), "7", "Xy3./aB9"))
    assert check_password(password, encoded) is False


@pytest.mark.parametrize("stored", [
    "$S$" + "2" + "Xy3./aB9" + "a" * 43,  # 2**4 passes: below Drupal's minimum of 2**7
    "$S$" + "z" + "Xy3./aB9" + "a" * 43,  # 2**63
    "$S$DXy3./aB9" + "a" * 42,
    "$P$DXy3./aB9" + "a" * 43,
])
def test_drupal7_malformed_values_are_refused(stored):
    with pytest.raises(ValueError):
        from_legacy("drupal7", stored)


def shopware_sha256(password, salt, iterations):
    value = ""
    for _ in range(iterations + 1):
        value = sha256(value + password + salt)
    return f"{iterations}:{salt}:{value}"


@pytest.mark.parametrize("password", PASSWORDS)
def test_shopware5_sha256(password):
    assert_checks("shopware5_sha256", shopware_sha256(password, "a1B2c3D4e5F6g7H8i9J0kL", 1000), "",
                  password, password + " ")


@pytest.mark.parametrize("stored", ["1000:salt", "x:salt:" + "a" * 64, "1000000:salt:" + "a" * 64,
                                    "1000:sa:lt:" + "a" * 64])
def test_shopware5_sha256_malformed_values_are_refused(stored):
    with pytest.raises(ValueError):
        from_legacy("shopware5_sha256", stored)


@pytest.mark.parametrize("password", PASSWORDS)
def test_shopware5_legacy_backend_md5(password):
    assert_checks("shopware5_md5", md5("A9ASD:_AD!_=%a8nx0asssblPlasS$" + md5(password)), "", password,
                  password[:-1])


@pytest.mark.parametrize("password", PASSWORDS)
def test_zencart_sha256_inline_and_separate_salt(password):
    digest = sha256(ZEN_SALT + password)
    assert len(f"{digest}:{ZEN_SALT}") == 129
    assert_checks("zencart_sha256", f"{digest}:{ZEN_SALT}", "", password, password + "?")
    assert_checks("zencart_sha256", digest, ZEN_SALT, password, password + "?")


def test_zencart_sha256_is_packed_to_fit_the_column_wrapped_or_not():
    digest = sha256(ZEN_SALT + "pw")
    encoded = from_legacy("zencart_sha256", f"{digest}:{ZEN_SALT}")
    packed_digest, packed_salt = encoded.removeprefix("zencart_sha256$").split(":")
    assert base64.b64decode(packed_digest + "=").hex() == digest
    assert base64.b64decode(packed_salt + "=").hex() == ZEN_SALT
    assert len(encoded) == 102
    scheme, _digest, rest = wrap_input(encoded)
    assert len(assemble(scheme, rest, Argon2Params(99, 9_999_999, 99), bytes(16), bytes(16))) <= 128


def test_zencart_sha256_needs_its_64_digit_lowercase_salt():
    for salt in ("", "abc", ZEN_SALT.upper()):
        with pytest.raises(ValueError):
            from_legacy("zencart_sha256", sha256(salt + "pw"), salt)


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("salt", ["aK9!x_#2Lq", ""])
def test_cscart(password, salt):
    stored = md5(md5(password) + md5(salt)) if salt else md5(password)
    assert_checks("cscart", stored, salt, password, password + "x")


@requires_php
@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["argon2id", "argon2i"])
def test_phps_argon2_is_kept_as_djangos_argon2_and_upgraded_at_login(kind):
    """Shopware 5.5+ (and PHP shops in general) with password_hash(PASSWORD_ARGON2ID / ARGON2I)."""
    from secure_shopadmin.hashers.legacy import from_php_argon2

    stored = php_vectors([{"scheme": kind, "password": UNICODE_PASSWORD, "salt": "", "count": "2.8192"}])[0]["stored"]
    encoded = from_php_argon2(stored["stored"] if isinstance(stored, dict) else stored)
    assert encoded == f"argon2{stored}"
    assert check_password(UNICODE_PASSWORD, encoded) is True
    assert check_password(UNICODE_PASSWORD[:-1], encoded) is False
    user = get_user_model().objects.create(username="argon")
    get_user_model().objects.filter(pk=user.pk).update(password=encoded)
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.31")
    assert authenticate(request, username="argon", password=UNICODE_PASSWORD) == user
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=256,t=1,p=1$")  # the preferred parameters now


@pytest.mark.parametrize("stored", ["$argon2d$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
                                    "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
                                    "$argon2id$nonsense", "$2y$10$abc"])
def test_php_argon2_values_that_are_not_phps_or_too_costly_are_refused(stored):
    from secure_shopadmin.hashers.legacy import from_php_argon2

    with pytest.raises(ValueError, match="argon2"):
        from_php_argon2(stored)
