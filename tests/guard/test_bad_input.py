"""Inputs that used to end in a 500: each answers a form error, a 4xx or a CommandError."""

import base64

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor import codes

from ..twofactor.helpers import password_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["²³⁴⁵⁶⁷", "١٢٣٤٥٦", "１２３４５⁶", "12 34 5", "¹"])
def test_digits_of_other_forms_are_no_code_and_no_500(staff_user, staff_totp, code):
    client = Client(raise_request_exception=True)
    password_login(client)
    response = client.post("/security/2fa/verify/", {"otp_token": code})
    assert response.status_code == 200 and "not valid" in response.content.decode()
    manage = pipeline_login(Client(raise_request_exception=True), staff_user)
    assert manage.post("/security/2fa/", {"otp_token": code, "action": "regenerate"}).status_code == 200


def test_fullwidth_digits_of_the_right_code_are_accepted(staff_user, staff_totp):
    fullwidth = staff_totp.now().translate({ord("0") + n: 0xFF10 + n for n in range(10)})
    assert codes.parse_totp(fullwidth, 6) == int(staff_totp.now())
    client = Client()
    password_login(client)
    assert client.post("/security/2fa/verify/", {"otp_token": fullwidth}).status_code == 302


@pytest.mark.parametrize("suffix", ["two-factor/reset/", "two-factor/link/", "password-reset/require/",
                                    "password-reset/cancel/", "password-reset/resend/", "sessions/end/"])
@pytest.mark.parametrize("object_id", ["abc", "1x", "²", "-1", "9" * 30, "%00"])
def test_a_malformed_id_in_the_admins_user_tools_is_a_404(superuser, suffix, object_id):
    client = pipeline_login(Client(raise_request_exception=True), superuser)
    assert client.get(f"/admin/auth/user/{object_id}/{suffix}").status_code == 404
    assert client.post(f"/admin/auth/user/{object_id}/{suffix}", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("object_id", ["²", "１"])
def test_a_malformed_campaign_id_is_no_500(superuser, object_id):
    client = pipeline_login(Client(raise_request_exception=True), superuser)
    assert client.get(f"/admin/secure_shopadmin/campaign/{object_id}/change/").status_code in (302, 404)


def test_a_nul_byte_in_basic_auth_credentials_is_a_401(member, settings):
    settings.ROOT_URLCONF = "tests.resets.urls_api"
    header = "Basic " + base64.b64encode(b"member\x000001:whatever").decode()
    response = Client(raise_request_exception=True).get("/api/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403)


def test_a_nul_byte_in_the_login_form_is_a_form_error(member):
    response = Client(raise_request_exception=True).post(
        "/login/", {"username": "member\x000001", "password": "x"})
    assert response.status_code == 200


def test_an_over_long_csv_field_names_its_line(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("username,email,hash,salt\nok,ok@x.example,abc,\nbig,b@x.example," + "a" * 200_000 + ",\n")
    with pytest.raises(CommandError, match=r"line \d+: field larger than field limit"):
        call_command("import_legacy_users", str(path), "--scheme", "md5", "--dry-run")
