"""Security notices: a deliberate password change is mailed, a hash upgrade is not; the former address
is told of a new one; failed staff logins are recorded after the response, others never."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin.alerts import notify
from secure_shopadmin.alerts.models import LoginRecord
from secure_shopadmin.core import deferred
from tests.mailers import use_mail_backend

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD
from .conftest import FIREFOX_LINUX, OTHER_IP, browser

pytestmark = pytest.mark.django_db


def password_mails(user):
    return [m for m in mail.outbox if m.to == [user.email] and "password was changed" in m.subject]


def test_set_password_and_save_is_mailed(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("another long passphrase 7")
        member.save()
    assert len(password_mails(member)) == 1


def test_nothing_is_mailed_before_the_transaction_commits(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member.set_password("another long passphrase 7")
        member.save()
    assert len(callbacks) == 1 and not mail.outbox


def test_admin_password_form_is_mailed(member, superuser, login, no_two_factor, django_capture_on_commit_callbacks):
    owner = browser()
    login(owner, superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(reverse("admin:auth_user_password_change", args=[member.pk]),
                              {"password1": "another long passphrase 7", "password2": "another long passphrase 7",
                               "usable_password": "true"})
    assert response.status_code == 302
    assert len(password_mails(member)) == 1


def test_hash_upgrade_at_login_is_not_a_password_change(member, login):
    get_user_model().objects.filter(pk=member.pk).update(
        password=make_password(MEMBER_PASSWORD, hasher="pbkdf2_sha256"))
    login(browser(), member)  # authenticate() upgrades the hash (check_password's setter)
    member.refresh_from_db()
    assert not member.password.startswith("pbkdf2_sha256$")
    assert not password_mails(member)


def test_new_user_and_other_saves_are_not_mailed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = get_user_model().objects.create_user("newbie", "newbie@members.example", "first passphrase 1")
        user.first_name = "New"
        user.save()
        user.set_unusable_password()
        user.save()
    assert not mail.outbox


def test_a_caller_with_its_own_notice_can_skip_it(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("another long passphrase 7")
        setattr(member, notify.SKIP_PASSWORD_NOTICE_ATTR, True)
        member.save(update_fields=["password"])
    assert not password_mails(member)


def test_notice_off(member, settings, django_capture_on_commit_callbacks):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "PASSWORD_CHANGED_NOTICE": False}
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("another long passphrase 7")
        member.save()
    assert not mail.outbox


def test_a_failing_mail_server_does_not_break_the_change(member, settings, django_capture_on_commit_callbacks):
    use_mail_backend(settings, "tests.resets.test_outbox.FailingBackend")
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("another long passphrase 7")
        member.save()
    member.refresh_from_db()
    assert member.check_password("another long passphrase 7")


def test_email_change_tells_the_former_address(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member.email = "new@members.example"
        member.save()
    [told] = mail.outbox
    assert told.to == ["m1@members.example"] and "n***@members.example" in told.body


# --- failed logins ---------------------------------------------------------------------------------

def test_failed_staff_login_is_recorded(staff_user, no_two_factor):
    client = browser(FIREFOX_LINUX, OTHER_IP)
    client.post(reverse("admin:login"), {"username": staff_user.username, "password": "wrong"})
    record = LoginRecord.objects.get(user=staff_user)
    assert (record.outcome, record.channel, record.ip, record.browser) == ("failed", "console", OTHER_IP, "Firefox")
    assert record.new_environment is True and record.alert == "not_checked" and record.session_digest == ""


def test_failed_member_and_unknown_logins_are_not_recorded(member, no_two_factor):
    client = Client()
    client.post(reverse("shop:login"), {"username": member.username, "password": "wrong"})
    client.post(reverse("admin:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    client.post(reverse("admin:login"), {"username": "nobody", "password": STAFF_PASSWORD})
    assert not LoginRecord.objects.exists()


def test_failed_staff_login_answers_like_an_unknown_one(staff_user, no_two_factor):
    def answer(username):
        response = Client().post(reverse("admin:login"), {"username": username, "password": "wrong"})
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        body = re.sub(rb'"challenge": "[^"]+"', b"", body)  # the passkey sign-in's fresh challenge
        return response.status_code, body.replace(username.encode(), b""), sorted(response.cookies)

    assert answer(staff_user.username) == answer("nobody-here")


def test_failed_staff_login_is_written_after_the_response(staff_user, rf):
    written = []
    token = deferred._queue.set([])  # as request_started does
    try:
        from secure_shopadmin.alerts import records

        records.login_failed(rf.post("/admin/login/"), staff_user.username, "console", False)
        written.append(LoginRecord.objects.count())
        deferred._flush()  # as request_finished does
        written.append(LoginRecord.objects.count())
    finally:
        deferred._queue.reset(token)
    assert written == [0, 1]
