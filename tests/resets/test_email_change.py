"""E-mail address changes: re-authentication, the code for staff, the new address confirmed by a mailed
link, the former address told, frozen while a compromised reset is pending (page and model-level guard)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin.resets import services
from secure_shopadmin.resets.email_change import EmailChangeFrozen
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device

pytestmark = pytest.mark.django_db
URL = "/security/account/email/"


def test_url_name():
    assert reverse("secure_shopadmin:email_change") == URL


CONFIRM_RE = re.compile(r"https?://[^/\s]+(/security/account/email/confirm/[^/\s]+/)")


def ask_for(client, user, new_email, password):
    pipeline_login(client, user, channel="storefront")
    return client.post(URL, {"email": new_email, "password": password})


def confirm_path(message):
    return CONFIRM_RE.search(message.body).group(1)


def test_member_confirms_the_new_address_by_its_link_and_former_address_is_told(
        client, member, django_capture_on_commit_callbacks):
    response = ask_for(client, member, "new@members.example", MEMBER_PASSWORD)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "m1@members.example"  # not before the new address answers
    [asked] = mail.outbox
    assert asked.to == ["new@members.example"]
    link = confirm_path(asked)

    opened = Client().get(link)  # a mail scanner opening the link changes nothing
    assert opened.status_code == 200 and b"new@members.example" in opened.content
    member.refresh_from_db()
    assert member.email == "m1@members.example"

    with django_capture_on_commit_callbacks(execute=True):
        done = Client().post(link)  # the new address's owner need not be logged in
    assert done.status_code == 200 and b'id="email-confirmed"' in done.content
    member.refresh_from_db()
    assert member.email == "new@members.example"
    told = mail.outbox[-1]
    assert told.to == ["m1@members.example"] and "n***@members.example" in told.body
    assert Client().post(link).status_code == 404  # spent


def test_a_password_change_voids_a_pending_link(client, member):
    ask_for(client, member, "new@members.example", MEMBER_PASSWORD)
    member.set_password("another long passphrase 7")
    member.save()
    response = Client().post(confirm_path(mail.outbox[-1]))
    assert response.status_code == 404 and b"no longer works" in response.content
    member.refresh_from_db()
    assert member.email == "m1@members.example"


def test_an_expired_or_altered_link_does_nothing(client, member, settings):
    ask_for(client, member, "new@members.example", MEMBER_PASSWORD)
    link = confirm_path(mail.outbox[-1])
    token = link.rstrip("/").rsplit("/", 1)[1]
    altered = link.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert Client().post(altered).status_code == 404
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "EMAIL_CHANGE_CONFIRM_MAX_AGE": -1}
    assert Client().post(link).status_code == 404
    member.refresh_from_db()
    assert member.email == "m1@members.example"


def test_a_pending_compromised_reset_refuses_the_link(client, member):
    ask_for(client, member, "new@members.example", MEMBER_PASSWORD)
    link = confirm_path(mail.outbox[-1])
    services.require_reset([member.pk], reason="x", notify=False)
    assert Client().post(link).status_code == 404  # the reset made the password unusable: the link is void
    member.refresh_from_db()
    assert member.email == "m1@members.example"


def test_a_compromised_requirement_that_kept_the_hash_still_freezes_the_address(client, member):
    from secure_shopadmin.resets.models import ResetMode, ResetRequirement

    ask_for(client, member, "new@members.example", MEMBER_PASSWORD)
    link = confirm_path(mail.outbox[-1])
    ResetRequirement.objects.create(user=member, mode=ResetMode.COMPROMISED, reason="written by another tool")
    response = Client().post(link)
    assert response.status_code == 403 and b"cannot change" in response.content
    member.refresh_from_db()
    assert member.email == "m1@members.example"


def test_without_confirmation_the_address_changes_at_once(client, member, settings,
                                                         django_capture_on_commit_callbacks):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "EMAIL_CHANGE_CONFIRM": False}
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for(client, member, "new@members.example", MEMBER_PASSWORD)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "new@members.example"
    [told] = mail.outbox
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
    assert mail.outbox[-1].to == ["new@shop.example"]
    Client().post(confirm_path(mail.outbox[-1]))
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


def test_confirmation_links_are_limited_per_hour(client, member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "EMAIL_CHANGE_LINKS_PER_HOUR": 2}
    ask_for(client, member, "one@elsewhere.example", MEMBER_PASSWORD)
    assert client.post(URL, {"email": "two@elsewhere.example", "password": MEMBER_PASSWORD}).status_code == 302
    refused = client.post(URL, {"email": "three@elsewhere.example", "password": MEMBER_PASSWORD})
    assert refused.status_code == 200 and b"several links in the last hour" in refused.content
    assert [m.to for m in mail.outbox] == [["one@elsewhere.example"], ["two@elsewhere.example"]]
