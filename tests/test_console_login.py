"""The admin's login and the storefront's login run through the pipeline."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from secure_shopadmin import pipeline, signals
from secure_shopadmin.audit.models import EventKind, SecurityEvent

from .conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


def post_login(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password, **extra})


def test_admin_login_page_is_the_pipelines_in_the_admins_look(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert 'id="login-form"' in response.content.decode()
    assert [t.name for t in response.templates[:2]] == ["secure_shopadmin/console_login.html", "admin/login.html"]


def test_staff_logs_into_console_and_session_carries_marker(client, staff_user):
    completed = []
    signals.login_completed.connect(lambda **kw: completed.append(kw["channel"]), weak=False,
                                    dispatch_uid="t1")
    try:
        response = post_login(client, reverse("admin:login"), "clerk", STAFF_PASSWORD)
    finally:
        signals.login_completed.disconnect(dispatch_uid="t1")
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.session[SESSION_KEY] == str(staff_user.pk)
    assert client.session[pipeline.MARKER_KEY]["channel"] == "console"
    assert completed == ["console"]
    assert client.get(reverse("admin:index")).status_code == 200
    assert SecurityEvent.objects.filter(kind=EventKind.CONSOLE_LOGIN, target_username="clerk").count() == 1


def test_every_admin_site_login_goes_through_the_pipeline(client, staff_user, settings):
    settings.ROOT_URLCONF = "tests.urls_two_sites"
    response = post_login(client, "/console2/login/", "clerk", "wrong password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    response = post_login(client, "/console2/login/", "clerk", STAFF_PASSWORD)
    assert response.status_code == 302
    assert response.url == "/console2/"
    assert pipeline.MARKER_KEY in client.session


def test_member_cannot_use_console_and_gets_the_same_message_as_a_wrong_password(client, member):
    right = post_login(client, reverse("admin:login"), "member0001", MEMBER_PASSWORD).content.decode()
    wrong = post_login(client, reverse("admin:login"), "member0001", "nope").content.decode()
    unknown = post_login(client, reverse("admin:login"), "nobody", "nope").content.decode()
    assert SESSION_KEY not in client.session
    message = "Please enter a correct username and password"
    assert message in right and message in wrong and message in unknown


def test_storefront_login_uses_pipeline_and_redirects_to_account(client, member):
    response = post_login(client, reverse("shop:login"), "member0001", MEMBER_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("shop:account")
    assert client.session[pipeline.MARKER_KEY]["channel"] == "storefront"
    assert client.get(reverse("shop:account")).status_code == 200


@pytest.mark.parametrize("next_url, expected", [
    ("/products/1/", "/products/1/"),
    ("https://evil.example/steal", "/account/"),
    ("//evil.example/", "/account/"),
])
def test_next_redirect_is_safe(client, member, next_url, expected):
    response = post_login(client, reverse("shop:login"), "member0001", MEMBER_PASSWORD, next=next_url)
    assert response.url == expected


def test_login_post_without_csrf_token_is_refused(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = post_login(client, reverse("shop:login"), "member0001", MEMBER_PASSWORD)
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_locked_client_is_refused_with_429_before_hashing(client, member, settings, monkeypatch):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        post_login(client, reverse("shop:login"), "member0001", "wrong")
    calls = []
    from django.contrib.auth.hashers import Argon2PasswordHasher

    monkeypatch.setattr(Argon2PasswordHasher, "verify", lambda *a: calls.append(a) or True)
    response = post_login(client, reverse("shop:login"), "member0001", MEMBER_PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many login attempts" in response.content.decode()
    assert calls == []
    assert SESSION_KEY not in client.session
