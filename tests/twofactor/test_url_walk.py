"""As a logged-in-but-unverified staff user, every URL and every method answers only on the allow-list."""

import pytest
from django.test import Client

from ..urlwalk import METHODS, all_paths
from .helpers import password_login

pytestmark = pytest.mark.django_db

VERIFY_ALLOWED = {"secure_shopadmin:twofactor_verify", "secure_shopadmin:cancel_login", "admin:logout",
                  "shop:logout"}
ENROL_ALLOWED = {"secure_shopadmin:twofactor_mailed", "secure_shopadmin:twofactor_link",
                 "secure_shopadmin:cancel_login", "admin:logout", "shop:logout"}


def walk(client_factory, allowed):
    checked = 0
    for path, name in all_paths():
        for method in METHODS:
            client = client_factory()
            response = getattr(client, method)(path)
            checked += 1
            if name in allowed:
                continue
            assert response.status_code == 302, (method, path, name, response.status_code)
            assert response.url.startswith("/security/2fa/"), (method, path, response.url)
    return checked


def test_unverified_staff_reaches_only_the_code_step(staff_user, staff_totp):
    def factory():
        client = Client()
        assert password_login(client).url == "/security/2fa/verify/"
        return client

    assert walk(factory, VERIFY_ALLOWED) > 200


def test_staff_without_device_reaches_only_enrolment(staff_user):
    def factory():
        client = Client()
        assert password_login(client).url == "/security/2fa/mailed/"
        return client

    assert walk(factory, ENROL_ALLOWED) > 200
