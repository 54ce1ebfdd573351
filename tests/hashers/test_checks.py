import pytest
from django.core import checks

from secure_shopadmin.hashers import LEGACY_HASHER_PATHS

HASHER_CHECKS = {f"secure_shopadmin.{id_}" for id_ in ("E101", "E102", "E103", "E104", "W101", "W102")}


def hasher_check_ids():
    return {message.id for message in checks.run_checks(tags=[checks.Tags.security])} & HASHER_CHECKS


def test_the_example_settings_pass():
    assert hasher_check_ids() == set()


@pytest.mark.parametrize(("peppers", "expected"), [
    ("not a dict", {"secure_shopadmin.E101"}),
    ({"oscommerce": "x"}, {"secure_shopadmin.E102"}),
    ({"eccube": ""}, {"secure_shopadmin.E103"}),
    ({"prestashop": 1234}, {"secure_shopadmin.E103"}),
    ({"eccube": "magic", "prestashop": "key"}, set()),
])
def test_malformed_peppers_are_reported(settings, peppers, expected):
    settings.SECURE_SHOPADMIN = {"LEGACY_PEPPERS": peppers}
    assert hasher_check_ids() == expected


@pytest.mark.parametrize(("params", "ok"), [((2, 102400, 8), True), ((0, 1024, 1), False), ("fast", False),
                                            ((1, 4, 1), False)])
def test_wrap_params_are_checked(settings, params, ok):
    settings.SECURE_SHOPADMIN = {"WRAP_ARGON2_PARAMS": params}
    assert hasher_check_ids() == (set() if ok else {"secure_shopadmin.E104"})


def test_legacy_hashers_without_the_wrapped_one_are_a_warning(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher", *LEGACY_HASHER_PATHS]
    assert hasher_check_ids() == {"secure_shopadmin.W101"}


@pytest.mark.parametrize(("params", "warned"), [
    ((2, 19456, 1), False), ((1, 47104, 1), False), ((3, 12288, 1), False), ((4, 9216, 1), False),
    ((5, 7168, 2), False), ((8, 7168, 1), False), ((2, 102400, 8), False),
    ((2, 19455, 1), True), ((1, 46000, 1), True), ((3, 12000, 1), True), ((6, 7000, 1), True), ((1, 256, 1), True),
])
def test_wrap_params_below_owasps_minimum_are_a_warning(settings, params, warned):
    settings.SECURE_SHOPADMIN = {"WRAP_ARGON2_PARAMS": params}
    assert hasher_check_ids() == ({"secure_shopadmin.W102"} if warned else set())


def test_none_takes_the_preferred_hashers_parameters_and_checks_them(settings):
    settings.SECURE_SHOPADMIN = {"WRAP_ARGON2_PARAMS": None}  # the tests' preferred argon2 is (1, 256, 1)
    assert hasher_check_ids() == {"secure_shopadmin.W102"}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # Django's (2, 102400, 8)
    assert hasher_check_ids() == set()
