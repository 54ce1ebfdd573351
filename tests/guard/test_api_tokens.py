"""API tokens are second-factor credentials: stored only as a digest, marked verified only when that
login passed the second factor, revoked whenever the user's trust changes; tokens from before install
(DRF's authtoken) work only for users outside the policy."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token

from secure_shopadmin.core import api_tokens
from secure_shopadmin.core.models import ApiToken
from secure_shopadmin.resets import services as resets
from secure_shopadmin.twofactor import services as twofactor

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device

pytestmark = pytest.mark.django_db


def api(token):
    return Client().get("/api/orders/", HTTP_AUTHORIZATION=f"Token {token}")


def member_token():
    response = Client().post("/api/token/password/", json.dumps({"username": "member0001",
                                                                 "password": MEMBER_PASSWORD}),
                             content_type="application/json")
    assert response.status_code == 200
    return response.json()["token"]


def staff_token(staff_totp):
    client = Client()
    client.post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    client.post("/security/2fa/verify/", {"otp_token": staff_totp.now()})
    return client.post("/api/token/").json()["token"]


def test_only_a_digest_of_the_key_is_stored(member):
    key = member_token()
    row = ApiToken.objects.get(user=member)
    stored = " ".join(str(value) for value in ApiToken.objects.filter(pk=row.pk).values().first().values())
    assert key not in stored and row.digest == api_tokens.digest(key)
    assert not Token.objects.filter(user=member).exists()  # DRF's clear-text table is not used
    assert api(key).status_code == 200


def test_a_token_is_verified_only_when_its_login_passed_the_second_factor(member, staff_user, staff_totp):
    assert ApiToken.objects.get(user=member, digest=api_tokens.digest(member_token())).verified is False
    key = staff_token(staff_totp)
    assert api_tokens.authenticate(key).verified is True and api(key).status_code == 200


def test_a_token_from_the_password_alone_stops_when_the_user_comes_under_the_policy(member):
    key = member_token()
    member.is_staff = True
    member.save()
    assert not ApiToken.objects.filter(user=member).exists()
    assert api(key).status_code in (401, 403)


def test_joining_a_policy_group_revokes_the_tokens(member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "TWO_FACTOR_POLICY": {
        **settings.SECURE_SHOPADMIN.get("TWO_FACTOR_POLICY", {}), "groups": ["Accounting"]}}
    key = member_token()
    member.groups.add(Group.objects.create(name="Accounting"))
    assert api(key).status_code in (401, 403)


def test_a_device_reset_revokes_the_tokens(staff_user, staff_totp):
    key = staff_token(staff_totp)
    twofactor.remove_devices(staff_user, reason="lost phone")
    assert api(key).status_code in (401, 403)


def test_a_forced_reset_revokes_the_tokens(member):
    key = member_token()
    resets.require_reset([member.pk], mode="change", reason="breach", notify=False)
    assert api(key).status_code in (401, 403)


def test_a_password_change_voids_the_tokens(member):
    key = member_token()
    member.set_password("a brand new passphrase 42")
    member.save()
    assert api(key).status_code in (401, 403)


def test_a_new_token_revokes_the_previous_one(member):
    first, second = member_token(), member_token()
    assert api(first).status_code in (401, 403) and api(second).status_code == 200


def test_tokens_from_before_install_work_only_outside_the_policy(member, staff_user):
    enrol_device(staff_user)
    old_member = Token.objects.create(user=member)
    old_staff = Token.objects.create(user=staff_user)
    assert api(old_member.key).status_code == 200
    refused = api(old_staff.key)
    assert refused.status_code == 403 and refused.json() == {"code": "second_factor_required"}


def test_unknown_and_odd_keys_are_401(member):
    for key in ["nope", "x" * 500, "\u00e9\u00e8"]:
        assert api(key).status_code in (401, 403)
