"""Secrets stay out of error reports: when something breaks deep under a view that handles a password,
a code or a token, Django's error report (the mail to ADMINS) shows none of them."""

import json
import sys

import pytest
from django.core.signals import got_request_exception
from django.test import Client
from django.views.debug import ExceptionReporter
from django_otp.oath import TOTP

from secure_shopadmin.core import crypto
from secure_shopadmin.testing import pipeline_login

from ..cheap_hashers import CheapArgon2PasswordHasher
from ..conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db
SECRET_CODE = "314159"
SECRET_TOKEN = "s3cr3t-t0ken-" + "q" * 30


class Boom(Exception):
    pass


@pytest.fixture
def reports():
    """Of each request that raised: its error report's text and every frame's variables as reported.

    (A mailed link's token is in the URL itself, which the report names; what must not show is any
    variable of the code that handled it.)"""
    texts = []

    def receive(sender, request=None, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info(), is_email=True)
        frames = reporter.get_traceback_data()["frames"]
        variables = "\n".join(f"{name} = {value}" for frame in frames for name, value in frame["vars"]
                              if not str(value).startswith("<WSGIRequest: "))  # a request's repr names its URL
        text = reporter.get_traceback_text()
        texts.append((text, variables))

    got_request_exception.connect(receive)
    yield texts
    got_request_exception.disconnect(receive)


def totp_boom(self, token, tolerance=0, min_t=None):  # django-otp's TOTP.verify, failing
    raise Boom("deep down")


def verify_boom(self, password, encoded):  # a password hasher's verify, failing
    raise Boom("deep down")


def half_logged_in():
    client = Client(raise_request_exception=False)
    client.post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    return client


def logged_in(user):
    return pipeline_login(Client(raise_request_exception=False), user)


def digest_boom(value, purpose):
    if value == SECRET_TOKEN:
        raise Boom("deep down")
    return ORIGINAL_DIGEST(value, purpose)


ORIGINAL_DIGEST = crypto.digest


def case_verify(staff_user, monkeypatch):
    monkeypatch.setattr(TOTP, "verify", totp_boom)
    half_logged_in().post("/security/2fa/verify/", {"otp_token": SECRET_CODE})
    return [SECRET_CODE]


def case_reauth(staff_user, monkeypatch):
    """The self-service page's fresh code, asked on the re-authentication page."""
    import re

    from secure_shopadmin.testing import pipeline_login as login

    monkeypatch.setattr(TOTP, "verify", totp_boom)
    client = login(Client(raise_request_exception=False), staff_user, verified=False)
    page = client.post("/security/2fa/", {"action": "regenerate"}).content.decode()
    field, blob = re.search(r'<input type="hidden" name="(_ssa_reauth)" value="([^"]+)"', page).groups()
    client.post("/security/2fa/", {field: blob, "otp_token": SECRET_CODE})
    return [SECRET_CODE]


def case_email_change(staff_user, monkeypatch):
    monkeypatch.setattr(TOTP, "verify", totp_boom)
    logged_in(staff_user).post("/security/account/email/", {"email": "n@shop.example", "password": STAFF_PASSWORD,
                                                            "otp_token": SECRET_CODE})
    return [SECRET_CODE, STAFF_PASSWORD]


def case_console_login(staff_user, monkeypatch):
    monkeypatch.setattr(CheapArgon2PasswordHasher, "verify", verify_boom)
    Client(raise_request_exception=False).post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    return [STAFF_PASSWORD]


def case_token_endpoint(staff_user, monkeypatch):
    monkeypatch.setattr(CheapArgon2PasswordHasher, "verify", verify_boom)
    Client(raise_request_exception=False).post(
        "/api/token/password/", json.dumps({"username": "clerk", "password": STAFF_PASSWORD}),
        content_type="application/json")
    return [STAFF_PASSWORD]


def case_links(staff_user, monkeypatch):
    monkeypatch.setattr(crypto, "digest", digest_boom)
    client = Client(raise_request_exception=False)
    for path in ("/security/reset/link/{}/", "/security/2fa/link/{}/", "/security/unlock/{}/",
                 "/security/alerts/{}/not-me/"):
        client.post(path.format(SECRET_TOKEN))
    return [SECRET_TOKEN]


@pytest.mark.parametrize("case", [case_verify, case_reauth, case_email_change, case_console_login,
                                  case_token_endpoint, case_links], ids=lambda c: c.__name__[5:])
def test_an_error_report_shows_no_secret(case, staff_user, staff_totp, monkeypatch, reports):
    secrets = case(staff_user, monkeypatch)
    assert reports, "the request did not fail"
    for text, variables in reports:
        assert "deep down" in text and "Local" not in variables
        assert "token = " in variables or "password = " in variables  # the frames were reported
        for secret in secrets:
            assert secret not in variables
            if secret != SECRET_TOKEN:
                assert secret not in text
