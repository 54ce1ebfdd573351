"""Every session the pipeline logs in is recorded and can be ended, on db, cache and cached_db."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secure_shopadmin import pipeline, signals
from secure_shopadmin.core import sessions
from secure_shopadmin.core.models import UserSession

from .conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
]


def console_login(client):
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("engine", ENGINES)
def test_end_user_sessions_ends_every_session(settings, staff_user, engine):
    settings.SESSION_ENGINE = engine
    first, second, third = (console_login(Client()) for _ in range(3))
    assert UserSession.objects.filter(user=staff_user).count() == 3
    ended = sessions.end_user_sessions(staff_user, keep_session_key=third.session.session_key)
    assert ended == 2
    for client in (first, second):
        assert client.get(reverse("admin:index")).status_code == 302
        assert SESSION_KEY not in client.session
    assert third.get(reverse("admin:index")).status_code == 200


def test_session_key_is_stored_encrypted_never_in_clear(staff_user):
    client = console_login(Client())
    row = UserSession.objects.get(user=staff_user)
    key = client.session.session_key
    assert key not in row.key_encrypted and key not in row.key_digest
    assert client.session[pipeline.MARKER_KEY]["sd"] == row.key_digest


def test_rotated_key_is_rerecorded(settings, staff_user):
    settings.ROOT_URLCONF = "tests.urls_rotation"
    client = console_login(Client())
    old_key = client.session.session_key
    assert client.get("/rotate/").content == b"rotated"
    new_key = client.session.session_key
    assert new_key != old_key
    row = UserSession.objects.get(user=staff_user)
    assert row.key_digest == sessions.key_digest(new_key) and row.rotated_at is not None
    assert client.session[pipeline.MARKER_KEY]["sd"] == row.key_digest
    assert sessions.end_user_sessions(staff_user) == 1
    assert client.get(reverse("admin:index")).status_code == 302


def test_logout_forgets_the_session(staff_user):
    client = console_login(Client())
    client.post(reverse("admin:logout"))
    assert not UserSession.objects.filter(user=staff_user).exists()


def test_login_sets_a_signed_httponly_device_cookie_and_learns_the_device(staff_user):
    from secure_shopadmin.core.models import KnownDevice

    client = console_login(Client())
    cookie = client.cookies["ssa_device"]
    assert cookie["httponly"] and ":" in cookie.value
    assert KnownDevice.objects.filter(user=staff_user).count() == 1
    client.post(reverse("admin:logout"))
    console_login(client)
    assert client.cookies["ssa_device"].value == cookie.value
    assert KnownDevice.objects.filter(user=staff_user).count() == 1
    forged = Client()
    forged.cookies["ssa_device"] = "forged-id:bad-signature"
    console_login(forged)
    assert KnownDevice.objects.filter(user=staff_user).count() == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_a_login_gives_a_held_session_a_new_key_and_keeps_its_data(settings, staff_user, engine):
    settings.SESSION_ENGINE = engine
    client = Client()
    planted = client.session  # a session the client held before logging in (a fixation attempt)
    planted["basket"] = "3 items"
    planted.save()
    old_key = planted.session_key
    console_login(client)
    new_key = client.session.session_key
    assert new_key != old_key
    assert not sessions.session_store()().exists(old_key)
    assert client.session["basket"] == "3 items" and SESSION_KEY in client.session
    assert UserSession.objects.get(user=staff_user).key_digest == sessions.key_digest(new_key)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("engine", ENGINES)
def test_a_two_step_login_gives_the_session_a_new_key_at_each_step_and_keeps_its_data(settings, staff_totp, engine):
    settings.SESSION_ENGINE = engine
    client = Client()
    planted = client.session
    planted["basket"] = "3 items"
    planted.save()
    keys = [planted.session_key]
    assert client.post(reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD}).status_code == 302
    keys.append(client.session.session_key)
    response = client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": staff_totp.now()})
    assert response.status_code == 302 and SESSION_KEY in client.session
    keys.append(client.session.session_key)
    assert len(set(keys)) == 3
    assert not any(sessions.session_store()().exists(key) for key in keys[:2])
    assert client.session["basket"] == "3 items"
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_new_visitors_login_writes_its_session_row_once(member):
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    assert response.status_code == 302 and SESSION_KEY in client.session
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), writes


def test_a_session_changed_after_the_logins_write_is_saved_by_the_response(member):
    def note_basket(sender, request, **kwargs):
        request.session["basket"] = "kept"

    signals.login_completed.connect(note_basket, dispatch_uid="test-note-basket")
    try:
        client = Client()
        client.post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    finally:
        signals.login_completed.disconnect(dispatch_uid="test-note-basket")
    assert client.session["basket"] == "kept" and SESSION_KEY in client.session
