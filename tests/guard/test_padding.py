"""``FAILED_LOGIN_PADDING``: "slowest" (the default) pads a failed login to the slowest stored format's
check; "preferred" pads it to one argon2id check only, so a sync worker never sleeps past a real check.
On the virtual clock of ``test_timing`` (nothing here is timed on the machine)."""

import pytest

from .test_timing import ARGON2, BCRYPT_8, clock, login_cost, members  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def padding(settings, value):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "FAILED_LOGIN_PADDING": value}


def test_by_default_a_failure_lasts_the_slowest_stored_check(members, clock):  # noqa: F811
    assert login_cost(clock, "nobody-at-all", "198.51.100.40") >= BCRYPT_8 * 2 ** 4


def test_preferred_pads_to_one_argon2_and_sleeps_nothing_more(members, clock, settings):  # noqa: F811
    padding(settings, "preferred")
    login_cost(clock, "nobody-at-all", "198.51.100.41")  # one argon2 measured per process: not a login's cost
    assert login_cost(clock, "nobody-at-all", "198.51.100.42") == pytest.approx(ARGON2, rel=0.05)
    assert login_cost(clock, "argon2member", "198.51.100.43") == pytest.approx(ARGON2, rel=0.05)


def test_an_unknown_padding_is_a_system_check_error(settings):
    from secure_shopadmin.hashers.checks import check_failed_login_padding

    padding(settings, "median")
    assert [error.id for error in check_failed_login_padding()] == ["secure_shopadmin.E105"]
