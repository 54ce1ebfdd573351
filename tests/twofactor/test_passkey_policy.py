"""REQUIRE_PHISHING_RESISTANT, the relying party taken from SITE_URL, and the passkey as a django-otp device."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django_otp import devices_for_user, match_token

from secure_shopadmin.core import policy
from secure_shopadmin.twofactor.passkeys import relying_party as rp
from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

from ..conftest import enrol_device

pytestmark = pytest.mark.django_db


def phishing_policy(settings, value):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": value}


def test_nobody_must_use_a_passkey_by_default(staff_user, superuser, member):
    assert not any(policy.requires_phishing_resistant(u) for u in (staff_user, superuser, member))
    assert not policy.users_requiring_phishing_resistant(get_user_model().objects.all()).exists()


@pytest.mark.parametrize("value, expected", [
    ({"superusers": True}, {"owner"}),
    ({"staff": True}, {"owner", "clerk"}),
    ({"members": True}, {"owner", "clerk", "member0001"}),
    ({"groups": ["finance"]}, {"member0001"}),
    ({"permissions": ["auth.change_user"]}, {"owner", "clerk"}),
    (None, set()), (False, set()), ({}, set()),
])
def test_the_policy_keys_are_those_of_the_two_factor_policy(settings, staff_user, superuser, member, value, expected):
    from django.contrib.auth.models import Permission

    member.groups.add(Group.objects.create(name="finance"))
    staff_user.user_permissions.add(Permission.objects.get(codename="change_user"))
    phishing_policy(settings, value)
    users = get_user_model().objects.all()
    assert {u.username for u in users if policy.requires_phishing_resistant(u)} == expected
    assert set(policy.users_requiring_phishing_resistant(users).values_list("username", flat=True)) == expected


def test_the_two_factor_policy_keeps_staff_and_superusers_unless_turned_off(settings, staff_user, member):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "TWO_FACTOR_POLICY": {"groups": ["x"]}}
    assert policy.requires_2fa(staff_user) and not policy.requires_2fa(member)
    assert list(policy.users_under_policy(get_user_model().objects.all())) == [staff_user]


@pytest.mark.parametrize("site_url, rp_id, origin", [
    ("https://shop.example", "shop.example", "https://shop.example"),
    ("https://Shop.Example:443/console/", "shop.example", "https://shop.example"),
    ("https://shop.example:8443", "shop.example", "https://shop.example:8443"),
    ("http://localhost:8160", "localhost", "http://localhost:8160"),
    ("http://console.localhost", "console.localhost", "http://console.localhost"),
    ("https://ショップ.example", "xn--xckya1d0c.example", "https://xn--xckya1d0c.example"),
])
def test_rp_id_and_origin_come_from_site_url(settings, site_url, rp_id, origin):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": site_url}
    party = rp.relying_party()
    assert (party.id, party.origin, party.name) == (rp_id, origin, "Example Shop")
    assert rp.available()


@pytest.mark.parametrize("site_url, words", [
    ("", "empty"),
    ("http://shop.example", "https"),
    ("http://127.0.0.1:8000", "IP address"),
    ("https://[::1]:8443", "IP address"),
    ("ftp://shop.example", "https://"),
    ("https://shop.example:port", "not a URL"),
    ("shop.example", "https://"),
])
def test_site_urls_that_cannot_be_a_relying_party(settings, site_url, words):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": site_url}
    assert words in rp.problem()
    assert not rp.available()
    with pytest.raises(ImproperlyConfigured):
        rp.relying_party()


def test_a_passkey_is_a_django_otp_device_that_matches_no_code(staff_user):
    """django-otp's own code matching walks every device model (the crash of a manager without
    devices_for_user, known from another passkey plugin): a passkey beside TOTP breaks nothing."""
    totp = enrol_device(staff_user)
    PasskeyDevice.objects.create(user=staff_user, name="Key", credential_id="AA", credential_digest="0" * 64,
                                 public_key=b"\xa0")
    assert {type(d).__name__ for d in devices_for_user(staff_user)} == {"AuthenticatorDevice", "PasskeyDevice"}
    assert type(match_token(staff_user, totp.now())).__name__ == "AuthenticatorDevice"
    assert PasskeyDevice.objects.get().verify_token("123456") is False
    assert list(PasskeyDevice.objects.devices_for_user(staff_user))


@pytest.mark.parametrize("value, site_url, expected", [
    ({"superusers": True}, "https://shop.example", []),
    ({"superusers": True}, "http://127.0.0.1:8000", ["secure_shopadmin.E022"]),
    ({"superusers": False}, "http://127.0.0.1:8000", []),
    ({"owners": True}, "https://shop.example", ["secure_shopadmin.E021"]),
    (["superusers"], "https://shop.example", ["secure_shopadmin.E021"]),
    (None, "", []),
])
def test_checks_of_the_phishing_resistant_policy(settings, value, site_url, expected):
    from secure_shopadmin.twofactor import checks

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": value,
                                 "SITE_URL": site_url}
    assert [e.id for e in checks.check_phishing_resistant_policy()] == expected


def test_deploy_check_says_why_passkeys_are_not_offered(settings):
    from secure_shopadmin.twofactor import checks

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "http://127.0.0.1:8000"}
    (warning,) = checks.check_passkeys_available()
    assert warning.id == "secure_shopadmin.W021" and "IP address" in warning.msg
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    assert checks.check_passkeys_available() == []
