"""The JSON token endpoint cannot be fired cross-site, never touches the browser's session, and
answers JSON (never a 500) for any body."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from secure_shopadmin import pipeline
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/token/password/"


def post_json(client, body, **extra):
    return client.post(URL, body if isinstance(body, str) else json.dumps(body), content_type="application/json",
                       **extra)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "text/plain"])
def test_a_cross_site_form_post_is_refused_and_counts_nothing(member, content_type, hasher_calls):
    body = {"application/x-www-form-urlencoded": f"username=member0001&password={MEMBER_PASSWORD}",
            "text/plain": json.dumps({"username": "member0001", "password": "wrong"})}.get(content_type, "")
    response = Client().post(URL, body, content_type=content_type)
    assert response.status_code == 415 and response["Content-Type"] == "application/json"
    assert not Counter.objects.exists() and hasher_calls == []


@pytest.mark.parametrize("body", ["[]", '["member0001", "x"]', "null", "17", '"text"', "{", "\ufeff{}",
                                  '{"username": ["a"], "password": "x"}', '{"username": "a", "password": {}}'])
def test_a_bad_body_gets_a_json_400(member, body):
    response = post_json(Client(), body)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()


def test_a_nul_byte_in_the_username_is_a_400(member):
    response = post_json(Client(), {"username": "member\x000001", "password": MEMBER_PASSWORD})
    assert response.status_code == 400 and response.json() == {"code": "invalid_credentials"}


def test_the_browsers_own_session_is_never_touched(staff_user, member):
    browser = pipeline_login(Client(), staff_user)
    key_before = browser.session.session_key
    assert post_json(browser, {"username": "member0001", "password": MEMBER_PASSWORD}).status_code == 200
    assert post_json(browser, {"username": "member0001", "password": "wrong"}).status_code == 400
    session = browser.session
    assert session.session_key == key_before and session[SESSION_KEY] == str(staff_user.pk)
    assert pipeline.MARKER_KEY in session
    assert browser.get("/admin/").status_code == 200  # still logged in to the console
    assert UserSession.objects.filter(user=member).count() == 0  # the token's login left no session


def test_a_half_logged_in_browser_keeps_its_step(staff_user, staff_totp, member):
    browser = Client()
    assert browser.post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD}).status_code == 302
    post_json(browser, {"username": "member0001", "password": MEMBER_PASSWORD})
    assert pipeline.PARTIAL_KEY in browser.session
