import os

import pytest
from django.contrib.auth import get_user_model

STAFF_PASSWORD = "correct horse battery staple"
MEMBER_PASSWORD = "member password 123"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        "clerk", "clerk@shop.example", STAFF_PASSWORD, is_staff=True,
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("owner", "owner@shop.example", STAFF_PASSWORD)


@pytest.fixture
def member(db):
    return get_user_model().objects.create_user("member0001", "m1@members.example", MEMBER_PASSWORD)


@pytest.fixture
def no_two_factor(settings):
    """Nobody is under the second-factor policy (tests of the other stages)."""
    settings.SECURE_SHOPADMIN = {
        **settings.SECURE_SHOPADMIN,
        "TWO_FACTOR_POLICY": {"staff": False, "superusers": False, "members": False},
    }


def enrol_device(user):
    """Give ``user`` a confirmed authenticator; returns a pyotp.TOTP for it (an independent implementation)."""
    import base64
    import secrets

    import pyotp

    from secure_shopadmin.core import crypto
    from secure_shopadmin.twofactor.models import AuthenticatorDevice

    key = secrets.token_bytes(20)
    AuthenticatorDevice.objects.create(user=user, name="Phone", confirmed=True, key_encrypted=crypto.encrypt(key))
    return pyotp.TOTP(base64.b32encode(key).decode())


@pytest.fixture
def staff_totp(staff_user):
    return enrol_device(staff_user)


def pytest_collection_modifyitems(config, items):
    """Tests that fork processes run first, before live_server and Playwright start threads (a fork
    of a process with threads can deadlock the child). Full-size tests (``@pytest.mark.slow``) run
    only with SSA_SLOW=1: they take minutes."""
    items.sort(key=lambda item: "forks" not in item.keywords)
    if os.environ.get("SSA_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="full-size test: run with SSA_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_cache_outage_left():
    """A test that made the guard's cache unreachable leaves no outage to the next (it would count in rows)."""
    yield
    from secure_shopadmin.lockout import stores

    stores.reachable_again()
