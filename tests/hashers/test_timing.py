"""A wrong password costs about the same against argon2id, a legacy value, a wrapped one or a malformed one.

Structural, not timed (as ``tests/guard/test_timing.py``): argon2 and bcrypt advance a virtual clock by a
cost that follows their parameters (argon2id at the preferred hasher's: 0.2 s; bcrypt 0.0343 s x
2^(cost-8)), digests cost nothing, and the evening out's waits advance it by what they sleep. A check's
cost is the virtual time it used, whatever the machine's load.
"""

import argon2
import bcrypt
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

from secure_shopadmin.hashers import argon2_worker, recommended_hashers, timing
from secure_shopadmin.hashers import base as hashers_base
from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.wrapped import Argon2Params, default_params, wrap, wrap_clear

from ..virtual_clock import VirtualTime

ARGON2, BCRYPT_8 = 0.2, 0.0343


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


@pytest.fixture
def clock(monkeypatch, measurable_argon2):
    virtual = VirtualTime()
    for module in (timing, hashers_base):
        monkeypatch.setattr(module, "time", virtual)
    preferred = MeasurableArgon2PasswordHasher

    def argon2_cost(*args, **kwargs):
        work = kwargs.get("time_cost", preferred.time_cost) * kwargs.get("memory_cost", preferred.memory_cost)
        return ARGON2 * work / (preferred.time_cost * preferred.memory_cost)

    monkeypatch.setattr(bcrypt, "hashpw", virtual.costing(
        bcrypt.hashpw, lambda password, salt, *rest: BCRYPT_8 * 2 ** (int(salt.split(b"$")[2]) - 8)))
    monkeypatch.setattr(argon2_worker, "hash_secret_raw", virtual.costing(argon2_worker.hash_secret_raw, argon2_cost))
    for module in (argon2.low_level, argon2._password_hasher):
        monkeypatch.setattr(module, "hash_secret", virtual.costing(module.hash_secret, argon2_cost))
        monkeypatch.setattr(module, "verify_secret", virtual.costing(module.verify_secret, lambda *a, **k: ARGON2))
    timing._preferred_cost.clear()
    yield virtual
    timing._preferred_cost.clear()


def seconds_to_refuse(clock, encoded):
    started = clock.now
    assert check_password("wrong password", encoded) is False
    return clock.now - started


def ratios_to_argon2(clock, values):
    """Each value's virtual time to refuse a wrong password / argon2id's, after one warm-up round (the
    evening out learns the preferred hasher's cost from its first run)."""
    baseline = make_password("right password")
    for encoded in (baseline, *values.values()):
        seconds_to_refuse(clock, encoded)
    reference = seconds_to_refuse(clock, baseline)
    return {name: seconds_to_refuse(clock, encoded) / reference for name, encoded in values.items()}


def stored_values():
    md5 = make_legacy_password("md5", "right password")
    return {
        "md5": md5,
        "phpass": make_legacy_password("phpass", "right password"),
        "bcrypt_php": make_legacy_password("bcrypt_php", "right password", bcrypt_cost=4),
        "wrapped md5": wrap(md5, default_params()),
        "malformed": "legacy_md5$zzzz",
    }


def test_wrong_passwords_cost_about_one_argon2_whatever_the_stored_value(clock):
    ratios = ratios_to_argon2(clock, stored_values())
    assert all(0.5 < ratio < 2.0 for ratio in ratios.values()), ratios  # unevened, md5 alone is ~0.001


def test_without_evening_out_a_legacy_hash_answers_at_once(clock, settings):
    settings.SECURE_SHOPADMIN = {"LEGACY_EQUALISE_TIMING": False}
    assert ratios_to_argon2(clock, {"md5": make_legacy_password("md5", "pw")})["md5"] < 0.3


def test_a_wrap_cheaper_than_the_preferred_hasher_is_evened_out_too(clock):
    """As in production: wrapped at OWASP's minimum, below Django's 100 MiB preferred argon2id."""
    md5 = make_legacy_password("md5", "right password")
    cheap = Argon2Params(1, 4096, 1)
    ratios = ratios_to_argon2(clock, {"wrapped cheap": wrap(md5, cheap), "plaintext import": wrap_clear("pw", cheap)})
    assert all(0.5 < ratio < 2.0 for ratio in ratios.values()), ratios


def test_the_newer_platforms_are_evened_out(clock, peppers):
    values = {scheme: make_legacy_password(scheme, "right password", drupal_count="7")
              for scheme in ("drupal7", "shopware5_sha256", "shopware5_md5", "zencart_sha256", "cscart")}
    ratios = ratios_to_argon2(clock, values)
    assert all(0.5 < ratio < 2.0 for ratio in ratios.values()), ratios
