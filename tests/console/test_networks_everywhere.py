"""With CONSOLE_ALLOWED_NETWORKS set, every session of a staff account follows the network rule, whatever
its login path; a member from outside still logs in."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from secure_shopadmin import pipeline
from secure_shopadmin.core.models import ApiToken
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = pytest.mark.django_db
OUTSIDE = "203.0.113.9"
SELF_SERVICE = ["/security/2fa/", "/security/2fa/add-app/", "/security/account/email/",
                "/security/account/logins/"]


@pytest.fixture(autouse=True)
def network_list(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["127.0.0.0/8"]}


def test_a_staff_account_cannot_finish_a_storefront_login_from_outside(staff_user, staff_totp):
    client = Client(REMOTE_ADDR=OUTSIDE)
    response = client.post("/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    assert response.status_code == 302  # the password step cannot tell staff before the hash
    assert client.get(response.url).status_code == 403
    assert client.post("/security/2fa/verify/", {"otp_token": staff_totp.now()}).status_code == 403
    assert SESSION_KEY not in client.session and pipeline.MARKER_KEY not in client.session


def test_a_staff_session_from_a_storefront_login_is_refused_outside(staff_user, staff_totp):
    client = Client()
    response = client.post("/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    client.post(response.url, {"otp_token": staff_totp.now()})
    assert client.session[pipeline.MARKER_KEY]["console"] is True
    assert client.get("/security/account/logins/").status_code == 200  # from inside
    for url in SELF_SERVICE:
        assert client.get(url, REMOTE_ADDR=OUTSIDE).status_code == 403, url


def test_every_page_and_the_token_mint_refuse_a_staff_session_from_outside(staff_user, staff_totp):
    client = pipeline_login(Client(REMOTE_ADDR=OUTSIDE), staff_user)
    for url in SELF_SERVICE:
        assert client.get(url).status_code == 403, url
    response = client.post("/api/token/", {}, content_type="application/json")
    assert response.status_code == 403 and response.json() == {"code": "console_network_refused"}
    assert not ApiToken.objects.exists()
    assert client.get("/security/console/pass/not-a-token/").status_code != 403  # a pass can still be spent


def test_a_member_logs_in_from_outside(member):
    client = Client(REMOTE_ADDR=OUTSIDE)
    response = client.post("/login/", {"username": member.username, "password": MEMBER_PASSWORD})
    assert response.status_code == 302
    assert client.session[pipeline.MARKER_KEY]["console"] is False
    assert client.get("/security/account/logins/").status_code == 200
    assert client.post("/api/token/", {}, content_type="application/json").status_code == 200
