"""Enrolment opens only through a mailed single-use link: the password alone never shows a key."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin import pipeline
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.twofactor.models import AuthenticatorDevice, EnrolmentLink, RecoveryCode
from tests.mailers import use_mail_backend

from .helpers import link_from_outbox, password_login, totp_from_enrol_page

pytestmark = pytest.mark.django_db


def test_password_alone_mails_a_link_and_shows_no_key(client, staff_user):
    response = password_login(client)
    assert response.url == reverse("secure_shopadmin:twofactor_mailed")
    page = client.get(response.url).content.decode()
    assert "We have sent a link" in page
    assert "totp-key" not in page
    assert SESSION_KEY not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["clerk@shop.example"]
    # the enrolment page is not reachable on the password alone
    assert client.get(reverse("secure_shopadmin:twofactor_enrol")).url == reverse("secure_shopadmin:twofactor_mailed")
    assert not AuthenticatorDevice.objects.exists()


def test_a_second_login_does_not_mail_again_at_once(client, staff_user):
    password_login(client)
    password_login(client)
    assert len(mail.outbox) == 1


def test_link_get_changes_nothing_post_opens_enrolment(client, staff_user):
    password_login(client)
    url = link_from_outbox()
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # a mail scanner's GET spends nothing
    assert EnrolmentLink.objects.get().used_at is None
    response = client.post(url)
    assert response.url == reverse("secure_shopadmin:twofactor_enrol")
    assert EnrolmentLink.objects.get().used_at is not None
    from django.test import Client

    assert Client().post(url).status_code == 410  # single use


def test_enrolment_with_independent_totp_logs_in_and_shows_codes_once(
        client, staff_user, django_capture_on_commit_callbacks):
    password_login(client)
    client.post(link_from_outbox())
    page = client.get(reverse("secure_shopadmin:twofactor_enrol"))
    assert "<svg" in page.content.decode()
    totp = totp_from_enrol_page(page)
    wrong = client.post(reverse("secure_shopadmin:twofactor_enrol"), {"otp_token": "000000"})
    assert "not valid" in wrong.content.decode()
    assert not AuthenticatorDevice.objects.filter(confirmed=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("secure_shopadmin:twofactor_enrol"), {"otp_token": totp.now()})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.session[SESSION_KEY] == str(staff_user.pk)
    assert client.session[pipeline.MARKER_KEY]["verified"] is True
    assert AuthenticatorDevice.objects.get(user=staff_user).confirmed
    assert RecoveryCode.objects.filter(code_set__user=staff_user).count() == 10
    assert SecurityEvent.objects.filter(kind=EventKind.ENROLMENT, target=staff_user).exists()
    assert "authenticator was added" in mail.outbox[-1].subject
    assert client.get(reverse("admin:index")).status_code == 200


def test_secrets_are_not_stored_in_clear(client, staff_user):
    password_login(client)
    client.post(link_from_outbox())
    page = client.get(reverse("secure_shopadmin:twofactor_enrol"))
    totp = totp_from_enrol_page(page)
    done = client.post(reverse("secure_shopadmin:twofactor_enrol"), {"otp_token": totp.now()})
    device = AuthenticatorDevice.objects.get()
    assert totp.secret not in device.key_encrypted
    for code in done.context["codes"]:
        assert not RecoveryCode.objects.filter(digest__contains=code.replace("-", "")).exists()
    assert all(totp.secret not in repr(v) for v in client.session.values())
    assert all(link_token not in repr(SecurityEvent.objects.values()) for link_token in [totp.secret])


@pytest.mark.parametrize("spoil", ["expired", "tampered", "used"])
def test_bad_links_change_nothing(client, staff_user, spoil):
    password_login(client)
    url = link_from_outbox()
    if spoil == "expired":
        EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "tampered":
        url = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    else:
        EnrolmentLink.objects.update(used_at=timezone.now())
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert client.get(reverse("secure_shopadmin:twofactor_enrol")).status_code == 302
    assert not AuthenticatorDevice.objects.exists()


def test_link_opened_in_another_browser_enrols_there(client, staff_user):
    from django.test import Client

    password_login(client)
    other = Client()
    response = other.post(link_from_outbox())
    assert response.url == reverse("secure_shopadmin:twofactor_enrol")
    assert other.get(response.url).status_code == 200


def test_member_is_not_asked_by_default(client, member):
    response = client.post(reverse("shop:login"), {"username": "member0001", "password": "member password 123"})
    assert response.url == reverse("shop:account")


def test_policy_by_group(client, member, settings):
    from django.contrib.auth.models import Group

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN,
                                 "TWO_FACTOR_POLICY": {"staff": True, "groups": ["vip"]}}
    member.groups.add(Group.objects.create(name="vip"))
    response = client.post(reverse("shop:login"), {"username": "member0001", "password": "member password 123"})
    assert response.url == reverse("secure_shopadmin:twofactor_mailed")


def test_development_setting_enrols_without_link(client, staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "ENROLMENT_WITHOUT_LINK": True}
    assert password_login(client).url == reverse("secure_shopadmin:twofactor_enrol")
    from secure_shopadmin.checks import check_deployment

    assert "secure_shopadmin.E020" in [e.id for e in check_deployment()]


def test_a_failing_mail_server_does_not_break_the_login(client, staff_user, settings, caplog):
    use_mail_backend(settings, "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1",
                     port=1)  # nothing listens there
    response = password_login(client)
    assert response.url == reverse("secure_shopadmin:twofactor_mailed")
    assert "Could not send the enrolment_link mail" in caplog.text
