"""Owners reset another user's second factor from the admin; the shell issues bootstrap and break-glass links."""

import re
import time
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core import crypto
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor import services
from secure_shopadmin.twofactor.models import AuthenticatorDevice, EnrolmentLink, RememberedBrowser

from ..conftest import enrol_device
from .helpers import password_login

pytestmark = pytest.mark.django_db


def verified_login(user, totp):
    client = Client()
    password_login(client, user.get_username())
    client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": totp.now()})
    return client


def test_owner_resets_clerks_second_factor_with_reason(superuser, staff_user, django_capture_on_commit_callbacks):
    totp = enrol_device(staff_user)
    clerk_client = verified_login(staff_user, totp)
    assert clerk_client.get(reverse("admin:index")).status_code == 200
    owner = pipeline_login(Client(), superuser)
    change = owner.get(reverse("admin:auth_user_change", args=[staff_user.pk])).content.decode()
    assert "Reset two-factor" in change and "Two-factor authentication" in change
    url = reverse("admin:auth_user_two_factor_reset", args=[staff_user.pk])
    assert owner.get(url).status_code == 200
    assert AuthenticatorDevice.objects.filter(user=staff_user).exists()  # GET changed nothing
    assert owner.post(url, {"reason": ""}).status_code == 200  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(url, {"reason": "lost phone, ticket 42"})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=staff_user).exists()
    assert not UserSession.objects.filter(user=staff_user).exists()
    assert clerk_client.get(reverse("admin:index")).status_code == 302
    event = SecurityEvent.objects.get(kind=EventKind.DEVICE_RESET)
    assert (event.actor_username, event.target_username, event.reason) == ("owner", "clerk", "lost phone, ticket 42")
    subjects = [m.subject for m in mail.outbox]
    assert any("removed" in s for s in subjects) and any("Set up two-factor" in s for s in subjects)


def test_reset_needs_the_permission(staff_user, member):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="change_user"),
                                    Permission.objects.get(codename="view_user"))
    client = pipeline_login(Client(), staff_user)
    url = reverse("admin:auth_user_two_factor_reset", args=[member.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert "Reset two-factor" not in client.get(reverse("admin:auth_user_change", args=[member.pk])).content.decode()


def test_bootstrap_link_command_prints_a_single_use_link(staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    out = StringIO()
    call_command("twofactor_link", "clerk", stdout=out)
    url = out.getvalue().strip()
    assert url.startswith("https://shop.example/security/2fa/link/")
    client = Client()
    path = url.replace("https://shop.example", "")
    assert client.post(path).url == reverse("secure_shopadmin:twofactor_enrol")
    assert Client().post(path).status_code == 410


def test_break_glass_removes_devices_and_lockouts(staff_user, settings):
    from axes.models import AccessAttempt

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "http://testserver"}
    enrol_device(staff_user)
    for _ in range(5):
        password_login(Client(), password="wrong")
    assert AccessAttempt.objects.exists()
    out = StringIO()
    call_command("twofactor_link", "clerk", "--break-glass", stdout=out)
    client = Client()
    response = client.post(out.getvalue().strip().replace("http://testserver", ""))
    assert response.url == reverse("secure_shopadmin:twofactor_enrol")
    assert not AuthenticatorDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert not AccessAttempt.objects.filter(username="clerk").exists()
    assert SecurityEvent.objects.filter(kind=EventKind.UNLOCK, target=staff_user).exists()


def test_self_service_needs_a_fresh_code(staff_user):
    import time_machine

    totp = enrol_device(staff_user)
    client = verified_login(staff_user, totp)
    manage = reverse("secure_shopadmin:twofactor_manage")
    assert client.get(manage).status_code == 200
    response = client.post(manage, {"action": "regenerate"})  # the login's code is still fresh
    assert len(response.context["codes"]) == 10
    codes = response.context["codes"]
    with time_machine.travel(time.time() + 301):  # past REAUTH_MAX_AGE
        asked = client.post(manage, {"action": "remove"})
        assert 'id="reauth-form"' in asked.content.decode()
        assert AuthenticatorDevice.objects.filter(user=staff_user).exists()
        blob = asked.context["blob"]
        refused = client.post(manage, {"_ssa_reauth": blob, "otp_token": "999999"})
        assert "not valid" in refused.content.decode()
        assert AuthenticatorDevice.objects.filter(user=staff_user).exists()
        response = client.post(manage, {"_ssa_reauth": blob, "otp_token": codes[0]})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=staff_user).exists()
    assert client.get(reverse("admin:index")).status_code == 302  # every session ended


def test_remembered_browsers_are_forgotten_when_devices_change(staff_user):
    totp = enrol_device(staff_user)
    client = Client()
    password_login(client)
    client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": totp.now(), "remember": "on"})
    assert RememberedBrowser.objects.filter(user=staff_user).count() == 1
    services.remove_devices(staff_user, reason="test")
    assert not RememberedBrowser.objects.filter(user=staff_user).exists()


def test_rotate_encryption_keys(staff_user, settings):
    totp = enrol_device(staff_user)
    old = settings.SECURE_SHOPADMIN["ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "ENCRYPTION_KEYS": [new_key, *old]}
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "ENCRYPTION_KEYS": [new_key]}
    device = AuthenticatorDevice.objects.get(user=staff_user)
    assert crypto.decrypt(device.key_encrypted) == device.key
    client = Client()
    password_login(client)
    assert client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": totp.now()}).status_code == 302


def test_enrolment_link_admin_is_read_only_and_shows_no_token(superuser, staff_user, settings):
    from secure_shopadmin.twofactor import links

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    url_in_mail = links.issue(staff_user, reason="test")
    token = re.search(r"/link/([\w-]+)/", url_in_mail).group(1)
    client = pipeline_login(Client(), superuser)
    page = client.get(reverse("admin:secure_shopadmin_enrolmentlink_changelist")).content.decode()
    assert "clerk" in page and token not in page
    link = EnrolmentLink.objects.get()
    assert token not in link.token_digest
    assert client.get(reverse("admin:secure_shopadmin_enrolmentlink_add")).status_code == 403


def test_promotion_to_staff_ends_the_members_sessions(member):
    client = pipeline_login(Client(), member, verified=False, channel="storefront")
    assert client.get(reverse("shop:account")).status_code == 200
    member.is_staff = True
    member.save()
    assert client.get(reverse("shop:account")).status_code == 302


def test_joining_a_policy_group_ends_sessions(member, settings):
    from django.contrib.auth.models import Group

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "TWO_FACTOR_POLICY": {"groups": ["vip"]}}
    client = pipeline_login(Client(), member, verified=False, channel="storefront")
    member.groups.add(Group.objects.create(name="other"))
    assert client.get(reverse("shop:account")).status_code == 200
    member.groups.add(Group.objects.create(name="vip"))
    assert client.get(reverse("shop:account")).status_code == 302
