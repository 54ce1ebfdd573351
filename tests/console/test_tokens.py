"""API tokens obey the console's rules: a fresh code to mint one for staff, a staff token's lifetime, the
network list, and ending a user's sessions revokes the user's tokens."""

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import ApiToken
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD

pytestmark = pytest.mark.django_db
OUTSIDE = "203.0.113.9"


def mint(client, **body):
    return client.post("/api/token/", body, content_type="application/json")


def api(token, **extra):
    return Client(**extra).get("/api/orders/", HTTP_AUTHORIZATION=f"Token {token}")


def member_token(member):
    response = Client().post("/api/token/password/", {"username": member.username, "password": MEMBER_PASSWORD},
                             content_type="application/json")
    assert response.status_code == 200
    return response.json()["token"]


def test_a_staff_session_with_a_stale_code_must_give_a_fresh_one_to_mint(owner_client, owner_totp, stale):
    refused = mint(owner_client)
    assert refused.status_code == 403 and refused.json() == {"code": "reauth_required"}
    wrong = mint(owner_client, otp_token="000000")
    assert wrong.status_code == 403 and wrong.json() == {"code": "reauth_failed"}
    assert not ApiToken.objects.exists()
    minted = mint(owner_client, otp_token=owner_totp.now())
    assert minted.status_code == 200 and api(minted.json()["token"]).status_code == 200
    outcomes = sorted(SecurityEvent.objects.filter(kind=EventKind.REAUTH).values_list("details__outcome", flat=True))
    assert outcomes == ["failed", "ok"]


def test_a_fresh_staff_session_mints_at_once(owner_client):
    assert mint(owner_client).status_code == 200


def test_a_staff_token_ends_with_console_max_age(owner_client, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_MAX_AGE": 3600, "API_TOKEN_MAX_AGE": None}
    token = mint(owner_client).json()["token"]
    assert api(token).status_code == 200
    with time_machine.travel(time.time() + 3601):
        assert api(token).status_code in (401, 403)


def test_a_members_token_follows_api_token_max_age(member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "API_TOKEN_MAX_AGE": 7200}
    token = member_token(member)
    with time_machine.travel(time.time() + 3601):  # past CONSOLE_MAX_AGE's hour: not a member's limit
        assert api(token).status_code == 200
    with time_machine.travel(time.time() + 7201):
        assert api(token).status_code in (401, 403)


def test_ending_other_sessions_revokes_the_users_tokens(owner_client):
    token = mint(owner_client).json()["token"]
    response = owner_client.post(reverse("secure_shopadmin:end_other_sessions"))
    assert response.status_code == 302
    assert api(token).status_code in (401, 403)


def test_ending_a_users_sessions_in_the_admin_revokes_the_users_tokens(owner_client, member):
    token = member_token(member)
    url = reverse("admin:auth_user_end_sessions", args=[member.pk])
    assert owner_client.post(url, {"reason": "lost laptop"}).status_code == 302
    assert api(token).status_code in (401, 403)


def test_a_staff_token_answers_only_from_the_allowed_networks(owner_client, member, settings):
    token = mint(owner_client).json()["token"]
    members = member_token(member)
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["127.0.0.0/8"]}
    refused = api(token, REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == 403 and refused.json() == {"code": "console_network_refused"}
    assert api(token).status_code == 200  # from inside
    assert api(members, REMOTE_ADDR=OUTSIDE).status_code == 200  # a member's token is not console power
    assert SecurityEvent.objects.filter(kind=EventKind.NETWORK_REFUSED, target_username="owner").exists()


def test_drfs_token_admin_when_shown_asks_for_a_fresh_code(owner_client, superuser, stale):
    from django.contrib import admin
    from rest_framework.authtoken.models import Token, TokenProxy

    if TokenProxy not in admin.site._registry:
        pytest.skip("this site hides DRF's token admin")
    response = owner_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": superuser.pk})
    assert 'id="reauth-form"' in response.content.decode()
    assert not Token.objects.exists()


def test_a_member_needs_no_fresh_code_to_mint(member, stale):
    client = pipeline_login(Client(), member, channel="storefront")
    assert mint(client).status_code == 200
