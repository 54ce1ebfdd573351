"""A correct password against any legacy or wrapped value logs in and leaves a plain argon2id hash."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory

from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.schemes import SCHEMES, legacy_hasher
from secure_shopadmin.hashers.wrapped import Argon2Params, wrap

from .test_vectors import UNICODE_PASSWORD

CHEAP = Argon2Params(1, 64, 1)
OPTIONS = {"magento2": {"magento_versions": "1:3_32_1_65536"}, "bcrypt_php": {"bcrypt_cost": 4},
           "wordpress_bcrypt": {"bcrypt_cost": 4}}


def login(username, password):
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.10")
    return authenticate(request, username=username, password=password)


def member_with(password_value, username="member"):
    user = get_user_model().objects.create(username=username, email=f"{username}@members.example")
    get_user_model().objects.filter(pk=user.pk).update(password=password_value)
    return user


def stored(user):
    return get_user_model().objects.values_list("password", flat=True).get(pk=user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", SCHEMES)
def test_login_upgrades_a_legacy_hash_to_argon2id(scheme, peppers):
    old = make_legacy_password(scheme, UNICODE_PASSWORD, **OPTIONS.get(scheme, {}))
    user = member_with(old)
    assert login("member", UNICODE_PASSWORD + "?") is None
    assert stored(user) == old
    assert login("member", UNICODE_PASSWORD) == user
    assert stored(user).startswith("argon2$argon2id$")
    assert login("member", UNICODE_PASSWORD) == user


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", [s for s in SCHEMES if legacy_hasher(s).cost != "slow"])
def test_login_upgrades_a_wrapped_hash_to_argon2id(scheme, peppers):
    options = {"magento_versions": "0:1"} if scheme == "magento2" else {}
    user = member_with(wrap(make_legacy_password(scheme, "old pw", **options), CHEAP))
    assert login("member", "old pw!") is None
    assert stored(user).startswith("argon2w$")
    assert login("member", "old pw") == user
    assert stored(user).startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_check_password_upgrades_in_the_same_call(peppers):
    user = member_with(make_legacy_password("eccube", "pw"))
    user.refresh_from_db()
    assert user.check_password("pw")
    assert stored(user).startswith("argon2$argon2id$")
