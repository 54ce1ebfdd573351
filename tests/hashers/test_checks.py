import pytest
from django.core import checks

from secure_shopadmin.hashers import LEGACY_HASHER_PATHS

HASHER_CHECKS = {f"secure_shopadmin.{id_}" for id_ in ("E101", "E102", "E103", "E104", "W101")}


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
