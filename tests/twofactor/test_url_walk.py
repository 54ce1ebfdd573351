"""As a logged-in-but-unverified staff user, every URL and every method answers only on the allow-list."""

import pytest
from django.test import Client

from secure_shopadmin.middleware import ALWAYS_ALLOWED_URL_NAMES

from ..urlwalk import METHODS, all_paths
from .helpers import password_login

pytestmark = pytest.mark.django_db

#: answered, but they end the partial login: not walked here (tests/test_pipeline.py covers them)
ENDING = {"secure_shopadmin:cancel_login", "admin:logout", "shop:logout"}
VERIFY_ALLOWED = {"secure_shopadmin:twofactor_verify"}
ENROL_ALLOWED = {"secure_shopadmin:twofactor_mailed", "secure_shopadmin:twofactor_link"}


def walk(client, allowed, step_url):
    """One partial session for the whole walk: a refused request leaves the session as it was."""
    checked = 0
    for path, name in all_paths():
        if name in allowed or name in ENDING or name in ALWAYS_ALLOWED_URL_NAMES:
            continue
        for method in METHODS:
            response = getattr(client, method)(path)
            checked += 1
            if path.startswith("/api/"):
                assert response.status_code == 403, (method, path, response.status_code)
                if method != "head":
                    assert response.json() == {"code": "second_factor_required"}
                continue
            assert response.status_code == 302, (method, path, name, response.status_code)
            assert response.url == step_url, (method, path, response.url)
    return checked


def test_unverified_staff_reaches_only_the_code_step(staff_user, staff_totp):
    client = Client()
    assert password_login(client).url == "/security/2fa/verify/"
    assert walk(client, VERIFY_ALLOWED, "/security/2fa/verify/") > 200
    assert client.get("/security/2fa/verify/").status_code == 200


def test_staff_without_device_reaches_only_enrolment(staff_user):
    client = Client()
    assert password_login(client).url == "/security/2fa/mailed/"
    assert walk(client, ENROL_ALLOWED, "/security/2fa/mailed/") > 200
    assert client.get("/security/2fa/mailed/").status_code == 200
