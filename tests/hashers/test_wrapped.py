import base64
import hashlib

import pytest
from argon2.low_level import Type, hash_secret_raw
from django.contrib.auth.hashers import check_password, identify_hasher

from secure_shopadmin.hashers import from_legacy
from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.schemes import SCHEMES, legacy_hasher
from secure_shopadmin.hashers.wrapped import Argon2Params, default_params, wrap

from .test_vectors import UNICODE_PASSWORD

CHEAP = Argon2Params(1, 64, 1)
FAST_SCHEMES = [s for s in SCHEMES if legacy_hasher(s).cost != "slow"]
SLOW_SCHEMES = [s for s in SCHEMES if legacy_hasher(s).cost == "slow"]


def make(scheme, password):
    options = {"magento_versions": "0:1"} if scheme == "magento2" else {"bcrypt_cost": 4}
    return make_legacy_password(scheme, password, **options)


@pytest.mark.parametrize("scheme", FAST_SCHEMES)
@pytest.mark.parametrize("password", ["old password", UNICODE_PASSWORD])
def test_a_wrapped_hash_checks_the_original_password(scheme, password, peppers):
    wrapped = wrap(make(scheme, password), CHEAP)
    assert wrapped.startswith(f"argon2w${scheme}$1.64.1$")
    assert identify_hasher(wrapped).algorithm == "argon2w"
    assert check_password(password, wrapped) is True
    assert check_password(password + "x", wrapped) is False


def test_the_tag_is_argon2id_over_the_legacy_digest():
    digest = hashlib.md5(b"pw").hexdigest()
    wrapped = wrap(from_legacy("md5", digest), Argon2Params(2, 128, 2))
    algorithm, scheme, params, salt, tag, rest = wrapped.split("$")
    assert (algorithm, scheme, params, rest) == ("argon2w", "md5", "2.128.2", "")
    salt = base64.b64decode(salt + "==")
    expected = hash_secret_raw(digest.encode(), salt, time_cost=2, memory_cost=128, parallelism=2, hash_len=16,
                               type=Type.ID, version=19)
    assert base64.b64decode(tag + "==") == expected


def test_the_digest_is_gone_from_the_wrapped_value():
    digest = hashlib.sha1(b"pw").hexdigest()
    assert digest not in wrap(from_legacy("sha1", digest), CHEAP)


def test_each_wrap_has_its_own_salt():
    encoded = from_legacy("md5", hashlib.md5(b"pw").hexdigest())
    assert wrap(encoded, CHEAP) != wrap(encoded, CHEAP)


def test_wrapped_hashes_are_verified_with_the_parameters_they_carry(settings):
    wrapped = wrap(from_legacy("md5", hashlib.md5(b"pw").hexdigest()), Argon2Params(3, 96, 1))
    settings.SECURE_SHOPADMIN = {"WRAP_ARGON2_PARAMS": (1, 64, 1)}
    assert default_params() == Argon2Params(1, 64, 1)
    assert check_password("pw", wrapped) is True


def test_default_parameters_follow_the_preferred_argon2_hasher(settings):
    settings.SECURE_SHOPADMIN = {"WRAP_ARGON2_PARAMS": None}
    assert default_params() == Argon2Params(1, 256, 1)  # tests.cheap_hashers.CheapArgon2PasswordHasher


def test_by_default_wraps_at_owasps_minimum_named_in_the_value_and_upgraded_at_login():
    assert default_params() == Argon2Params(2, 19456, 1)
    wrapped = wrap(from_legacy("md5", hashlib.md5(b"pw").hexdigest()), default_params())
    assert wrapped.startswith("argon2w$md5$2.19456.1$")
    assert identify_hasher(wrapped).must_update(wrapped) is True


@pytest.mark.parametrize("scheme", SLOW_SCHEMES)
def test_slow_schemes_are_never_wrapped(scheme):
    with pytest.raises(ValueError):
        wrap(make(scheme, "pw"), CHEAP)


def test_magento_argon2_chains_are_not_wrapped_but_fast_chains_are():
    fast = make_legacy_password("magento2", "pw", magento_versions="1")
    slow = make_legacy_password("magento2", "pw", magento_versions="1:3_32_1_65536")
    assert check_password("pw", wrap(fast, CHEAP))
    with pytest.raises(ValueError):
        wrap(slow, CHEAP)


@pytest.mark.parametrize("tamper", [
    lambda w: w.replace("argon2w$md5$", "argon2w$nosuch$"),
    lambda w: w.replace("$1.64.1$", "$1.64$"),
    lambda w: w.replace("$1.64.1$", "$0.64.1$"),
    lambda w: w[:-3],
    lambda w: w.replace("argon2w$md5$", "argon2w$bcrypt_php$"),
    lambda w: "argon2w$",
])
def test_a_malformed_wrapped_value_fails_without_raising(tamper):
    wrapped = wrap(from_legacy("md5", hashlib.md5(b"pw").hexdigest()), CHEAP)
    assert check_password("pw", tamper(wrapped)) is False


def test_safe_summary_masks_salt_and_tag():
    wrapped = wrap(from_legacy("md5", hashlib.md5(b"pw").hexdigest()), CHEAP)
    summary = identify_hasher(wrapped).safe_summary(wrapped)
    assert summary["scheme"] == "md5" and summary["memory cost"] == 64
    assert wrapped.split("$")[4] not in str(summary)


def test_legacy_summaries_mask_the_digest(peppers):
    encoded = make("md5_salted", "pw")
    summary = identify_hasher(encoded).safe_summary(encoded)
    assert summary["scheme"] == "md5_salted"
    assert encoded.split("$")[1].split(":")[0] not in str(summary)


@pytest.mark.parametrize("algorithm", ["legacy_md5", "argon2w"])
def test_these_hashers_never_make_new_hashes(algorithm):
    from django.contrib.auth.hashers import get_hasher, make_password

    with pytest.raises(ValueError):
        make_password("pw", hasher=get_hasher(algorithm))
