"""The code step after the password: TOTP ±1 step, no replay, recovery codes, throttling."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin import pipeline
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.twofactor import recovery

from .helpers import password_login, previous_code

pytestmark = pytest.mark.django_db
VERIFY = reverse("secure_shopadmin:twofactor_verify")


def code_login(client, code, **extra):
    assert password_login(client).url == VERIFY
    return client.post(VERIFY, {"otp_token": code, **extra})


def test_right_code_logs_in_verified(client, staff_user, staff_totp):
    response = code_login(client, staff_totp.now())
    assert response.url == reverse("admin:index")
    assert client.session[pipeline.MARKER_KEY]["verified"] is True


def test_code_of_previous_step_is_accepted(client, staff_user, staff_totp):
    assert code_login(client, previous_code(staff_totp)).status_code == 302
    assert SESSION_KEY in client.session


def test_wrong_code_is_refused_and_nothing_is_recorded_as_success(client, staff_user, staff_totp):
    response = code_login(client, "123456" if staff_totp.now() != "123456" else "654321")
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert not SecurityEvent.objects.filter(kind=EventKind.CONSOLE_LOGIN).exists()


def test_replayed_code_is_refused(staff_user, staff_totp):
    code = staff_totp.now()
    assert code_login(Client(), code).status_code == 302
    replay = code_login(Client(), code)
    assert replay.status_code == 200 and "not valid" in replay.content.decode()


def test_recovery_code_works_once_and_mails_the_user(client, staff_user, staff_totp):
    codes = recovery.regenerate(staff_user)
    assert code_login(client, codes[0].upper()).status_code == 302
    assert SecurityEvent.objects.filter(kind=EventKind.RECOVERY_CODE_USED, target=staff_user).exists()
    assert "recovery code was used" in mail.outbox[-1].subject
    again = code_login(Client(), codes[0])
    assert again.status_code == 200


def test_wrong_codes_are_capped(client, staff_user, staff_totp, settings):
    for _ in range(5):
        code_login(Client(), "000000" if staff_totp.now() != "000000" else "111111")
    response = code_login(client, staff_totp.now())
    assert "Too many wrong codes" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_partial_login_expires(client, staff_user, staff_totp, monkeypatch):
    import time

    password_login(client)
    later = time.time() + 301
    monkeypatch.setattr(pipeline.time, "time", lambda: later)
    response = client.post(VERIFY, {"otp_token": staff_totp.now()})
    assert response.status_code == 302 and SESSION_KEY not in client.session


def test_remembered_browser_skips_code_until_password_changes(client, staff_user, staff_totp):
    code_login(client, staff_totp.now(), remember="on")
    assert client.cookies["ssa_trusted"]["httponly"]
    client.post(reverse("admin:logout"))
    assert password_login(client).url == reverse("admin:index")
    assert client.session[pipeline.MARKER_KEY]["verified"] is True
    client.post(reverse("admin:logout"))
    staff_user.set_password("another long password 99")
    staff_user.save()
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": "another long password 99"})
    assert response.url == VERIFY


def test_superuser_cannot_remember_by_default(client, superuser):
    from ..conftest import enrol_device

    totp = enrol_device(superuser)
    password_login(client, "owner")
    page = client.get(VERIFY).content.decode()
    assert 'name="remember"' not in page
    client.post(VERIFY, {"otp_token": totp.now(), "remember": "on"})
    assert "ssa_trusted" not in client.cookies


def test_verify_page_is_only_for_a_partial_login_at_that_step(client):
    assert client.get(VERIFY).status_code == 302
