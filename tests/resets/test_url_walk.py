"""As a user with a pending requirement, every URL pattern and every method answers only on the allow-list."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from secure_shopadmin.middleware import ALWAYS_ALLOWED_URL_NAMES

from ..conftest import MEMBER_PASSWORD
from ..urlwalk import METHODS, all_paths
from .conftest import link_token, open_link, require, storefront_login

pytestmark = pytest.mark.django_db

RESET_ALLOWED = {"secure_shopadmin:reset_password"}
#: answered, but they end the partial login: walked last
ENDING = {"secure_shopadmin:cancel_login", "admin:logout", "shop:logout"}


def walk(client, allowed, step_url):
    checked = 0
    paths = sorted(all_paths(), key=lambda item: item[1] in ENDING)
    for path, name in paths:
        for method in METHODS:
            if name in ENDING and method == "post":
                continue  # would end the partial login: see test_logout_and_cancel_end_the_partial_login
            response = getattr(client, method)(path)
            checked += 1
            assert SESSION_KEY not in client.session, (method, path)
            if name in allowed or name in ENDING or name in ALWAYS_ALLOWED_URL_NAMES:
                continue
            if path.startswith("/api/"):
                assert response.status_code == 403, (method, path)
                if method != "head":
                    assert response.json() == {"code": "password_reset_required"}
                continue
            assert response.status_code == 302, (method, path, name, response.status_code)
            assert response.url == step_url, (method, path, response.url)
    return checked


def test_compromised_after_link_reaches_only_the_new_password(client, member):
    require(member)
    open_link(client, link_token())
    assert walk(client, RESET_ALLOWED, reverse("secure_shopadmin:reset_password")) > 200
    assert client.get(reverse("secure_shopadmin:reset_password")).status_code == 200


def test_change_mode_after_password_reaches_only_the_new_password(client, member):
    require(member, mode="change")
    storefront_login(client, member.username, MEMBER_PASSWORD)
    assert walk(client, RESET_ALLOWED, reverse("secure_shopadmin:reset_password")) > 200


@pytest.mark.parametrize("url_name", ["secure_shopadmin:cancel_login", "shop:logout"])
def test_logout_and_cancel_end_the_partial_login(client, member, url_name):
    from secure_shopadmin import pipeline

    require(member, mode="change")
    storefront_login(client, member.username, MEMBER_PASSWORD)
    client.post(reverse(url_name))
    assert pipeline.PARTIAL_KEY not in client.session and SESSION_KEY not in client.session


def test_unknown_paths_and_api_prefix_fail_closed(client, member):
    require(member, mode="change")
    storefront_login(client, member.username, MEMBER_PASSWORD)
    for path in ("/nowhere/", "/admin/../admin/", "/security/reset/passwordx/", "//admin/", "/ADMIN/"):
        response = client.post(path)
        assert response.status_code == 302 and response.url == reverse("secure_shopadmin:reset_password")
    # static files pass the middleware by prefix, but not a path that climbs out of it
    assert client.get("/static/../admin/").url == reverse("secure_shopadmin:reset_password")
    response = client.put("/api/orders/1/")
    assert response.status_code == 403 and response.json() == {"code": "password_reset_required"}


def test_old_session_of_a_user_with_a_requirement_reaches_nothing(member):
    client = Client()
    storefront_login(client, member.username, MEMBER_PASSWORD)
    assert client.get(reverse("shop:account")).status_code == 200
    require(member, mode="change")
    for path, _name in all_paths():
        if path.startswith("/static/"):
            continue
        response = client.get(path)
        assert SESSION_KEY not in client.session
        assert member.username.encode() not in response.content, path  # nothing is served as the user
