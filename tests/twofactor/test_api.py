"""A user under the second-factor policy can neither obtain nor use an API token on the password alone."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from secure_shopadmin.core import api_tokens

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD
from .helpers import password_login

pytestmark = pytest.mark.django_db


def password_token(client, username, password):
    return client.post("/api/token/password/", {"username": username, "password": password},
                       content_type="application/json")


def api(client, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return client.get("/api/orders/", **headers)


def test_member_gets_a_token_with_the_password_and_uses_it(member):
    response = password_token(Client(), "member0001", MEMBER_PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert api(Client(), token).status_code == 200


def test_staff_gets_no_token_with_the_password_alone(staff_user, staff_totp):
    client = Client()
    response = password_token(client, "clerk", STAFF_PASSWORD)
    assert response.status_code == 403
    assert response.json() == {"code": "second_factor_required"}
    assert not Token.objects.filter(user=staff_user).exists()
    assert api(client).status_code in (401, 403)  # no half-logged-in session left behind


def test_token_obtained_elsewhere_on_the_password_is_refused_for_staff(staff_user, staff_totp):
    token = Token.objects.create(user=staff_user)  # e.g. DRF's own obtain_auth_token
    response = api(Client(), token.key)
    assert response.status_code == 403 and response.json() == {"code": "second_factor_required"}


def test_verified_session_obtains_a_usable_token(staff_user, staff_totp):
    client = Client(enforce_csrf_checks=False)
    password_login(client)
    client.post("/security/2fa/verify/", {"otp_token": staff_totp.now()})
    response = client.post("/api/token/")
    assert response.status_code == 200
    token = response.json()["token"]
    assert api_tokens.authenticate(token).verified
    assert api(Client(), token).status_code == 200
    assert api(client).status_code == 200  # the verified session itself


def test_unverified_partial_session_gets_json_refusal(staff_user, staff_totp):
    client = Client()
    password_login(client)
    response = client.post("/api/token/")
    assert response.status_code == 403 and response.json() == {"code": "second_factor_required"}


def test_wrong_password_for_token_is_refused_without_detail(member):
    response = password_token(Client(), "member0001", "nope")
    assert response.status_code == 400 and response.json() == {"code": "invalid_credentials"}
    unknown = password_token(Client(), "ghost", "nope")
    assert unknown.json() == response.json()
