"""E-mail address changes: re-authentication, the code for staff, the former address told, frozen while
a compromised reset is pending (page and model-level guard)."""

import pytest
from django.core import mail
from django.urls import reverse

from secure_shopadmin.resets import services
from secure_shopadmin.resets.email_change import EmailChangeFrozen
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device

pytestmark = pytest.mark.django_db
URL = "/security/account/email/"


def test_url_name():
    assert reverse("secure_shopadmin:email_change") == URL


def test_member_changes_address_with_password_and_former_address_is_told(client, member,
                                                                        django_capture_on_commit_callbacks):
    pipeline_login(client, member, channel="storefront")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email": "new@members.example", "password": MEMBER_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "new@members.example"
    told = mail.outbox[-1]
    assert told.to == ["m1@members.example"] and "n***@members.example" in told.body


def test_wrong_password_changes_nothing(client, member):
    pipeline_login(client, member, channel="storefront")
    response = client.post(URL, {"email": "new@members.example", "password": "wrong"})
    assert response.status_code == 200 and b"not right" in response.content
    member.refresh_from_db()
    assert member.email == "m1@members.example" and not mail.outbox


def test_staff_needs_the_code(client, staff_user):
    totp = enrol_device(staff_user)
    pipeline_login(client, staff_user)
    response = client.post(URL, {"email": "new@shop.example", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    staff_user.refresh_from_db()
    assert staff_user.email == "clerk@shop.example"
    response = client.post(URL, {"email": "new@shop.example", "password": STAFF_PASSWORD, "otp_token": "000000"})
    assert b"code was not right" in response.content
    response = client.post(URL, {"email": "new@shop.example", "password": STAFF_PASSWORD,
                                 "otp_token": totp.now()})
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.email == "new@shop.example"


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


def test_model_level_guard_freezes_the_address_while_compromised(member):
    services.require_reset([member.pk], reason="x", notify=False)
    member.refresh_from_db()
    member.email = "attacker@evil.example"
    with pytest.raises(EmailChangeFrozen):
        member.save()
    member.refresh_from_db()
    assert member.email == "m1@members.example"
    member.first_name = "Still editable"
    member.save()  # other fields may change


def test_change_mode_does_not_freeze(member, django_capture_on_commit_callbacks):
    services.require_reset([member.pk], mode="change", reason="x", notify=False)
    member.email = "new@members.example"
    with django_capture_on_commit_callbacks(execute=True):
        member.save()
    assert mail.outbox[-1].to == ["m1@members.example"]


def test_admin_edit_is_refused_with_403(client, superuser, member):
    pipeline_login(client, superuser)
    services.require_reset([member.pk], reason="x", notify=False)
    url = reverse("admin:auth_user_change", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update({"username": member.username, "email": "attacker@evil.example", "date_joined_0": "2024-01-01",
                 "date_joined_1": "00:00:00", "is_active": "on"})
    response = client.post(url, data)
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.email == "m1@members.example"
