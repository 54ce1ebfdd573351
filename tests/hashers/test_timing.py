"""A wrong password costs about the same against argon2id, a legacy value, a wrapped one or a malformed one."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

from secure_shopadmin.hashers import recommended_hashers
from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.wrapped import Argon2Params, default_params, wrap, wrap_clear


class MeasurableArgon2PasswordHasher(Argon2PasswordHasher):
    """Costly enough (about 10 ms) to stand out from timer noise, cheap enough for the suite."""

    time_cost = 1
    memory_cost = 16 * 1024
    parallelism = 1


@pytest.fixture
def measurable_argon2(settings):
    settings.PASSWORD_HASHERS = [
        f"{__name__}.MeasurableArgon2PasswordHasher",
        *(path for path in recommended_hashers() if not path.endswith(".Argon2PasswordHasher")),
    ]
    # wrapped at the preferred hasher's parameters, as before WRAP_ARGON2_PARAMS had a default of its own
    settings.SECURE_SHOPADMIN = {**getattr(settings, "SECURE_SHOPADMIN", {}), "WRAP_ARGON2_PARAMS": None}


def seconds_to_refuse(encoded):
    started = time.perf_counter()
    assert check_password("wrong password", encoded) is False
    return time.perf_counter() - started


def ratios_to_argon2(values, rounds=9):
    """Median, over interleaved rounds (so load changes hit both sides), of each value's time / argon2id's."""
    baseline = make_password("right password")
    for encoded in (baseline, *values.values()):
        seconds_to_refuse(encoded)  # warm-up
    per_round = {name: [] for name in values}
    for _ in range(rounds):
        reference = seconds_to_refuse(baseline)
        for name, encoded in values.items():
            per_round[name].append(seconds_to_refuse(encoded) / reference)
    return {name: statistics.median(ratios) for name, ratios in per_round.items()}


def stored_values():
    md5 = make_legacy_password("md5", "right password")
    return {
        "md5": md5,
        "phpass": make_legacy_password("phpass", "right password"),
        "bcrypt_php": make_legacy_password("bcrypt_php", "right password", bcrypt_cost=4),
        "wrapped md5": wrap(md5, default_params()),
        "malformed": "legacy_md5$zzzz",
    }


def test_wrong_passwords_cost_about_one_argon2_whatever_the_stored_value(measurable_argon2):
    assert seconds_to_refuse(make_password("right password")) > 0.003
    ratios = ratios_to_argon2(stored_values())
    assert all(0.5 < ratio < 2.0 for ratio in ratios.values()), ratios  # unevened, md5 alone is ~0.001


def test_without_evening_out_a_legacy_hash_answers_at_once(measurable_argon2, settings):
    settings.SECURE_SHOPADMIN = {"LEGACY_EQUALISE_TIMING": False}
    assert ratios_to_argon2({"md5": make_legacy_password("md5", "pw")})["md5"] < 0.3


def test_a_wrap_cheaper_than_the_preferred_hasher_is_evened_out_too(measurable_argon2):
    """As in production: wrapped at OWASP's minimum, below Django's 100 MiB preferred argon2id."""
    md5 = make_legacy_password("md5", "right password")
    cheap = Argon2Params(1, 4096, 1)
    ratios = ratios_to_argon2({"wrapped cheap": wrap(md5, cheap), "plaintext import": wrap_clear("pw", cheap)})
    assert all(0.5 < ratio < 2.0 for ratio in ratios.values()), ratios


def test_the_newer_platforms_are_evened_out(measurable_argon2, peppers):
    values = {scheme: make_legacy_password(scheme, "right password", drupal_count="7")
              for scheme in ("drupal7", "shopware5_sha256", "shopware5_md5", "zencart_sha256", "cscart")}
    ratios = ratios_to_argon2(values, rounds=5)
    assert all(0.5 < ratio < 2.0 for ratio in ratios.values()), ratios
