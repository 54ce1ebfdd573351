"""Each kind of security event is written by the action that should write it (the kinds not
already asserted where their feature is tested)."""

import pytest
from django.test import Client

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.resets import services as resets
from secure_shopadmin.twofactor import links

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return list(SecurityEvent.objects.filter(target_username=user.get_username()).values_list("kind", flat=True))


def test_enrolment_link_issued(staff_user, superuser, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    links.issue(staff_user, issued_by=superuser, reason="new clerk")
    event = SecurityEvent.objects.get(kind=EventKind.ENROLMENT_LINK)
    assert (event.actor_username, event.target_username, event.reason) == ("owner", "clerk", "new clerk")


def test_reset_required_mailed_and_cancelled(member, superuser, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    resets.require_reset([member.pk], reason="breach", actor=superuser)
    resets.send_reset_mails()
    resets.cancel(resets.ResetRequirement.objects.filter(user=member), actor=superuser, reason="false alarm")
    assert kinds_for(member)[::-1][:3] == [EventKind.RESET_REQUIRED, EventKind.RESET_MAILED,
                                           EventKind.RESET_CANCELLED]


def test_email_change_is_audited_with_masked_addresses(member):
    member.email = "new.address@members.example"
    member.save()
    event = SecurityEvent.objects.get(kind=EventKind.EMAIL_CHANGED)
    assert event.target_username == "member0001"
    assert event.details == {"former": "m***@members.example", "new": "n***@members.example"}


def test_email_change_request_is_audited_with_the_new_address_masked(member, settings):
    from secure_shopadmin.resets.email_change import request_change

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    request_change(member, "new.address@members.example")
    event = SecurityEvent.objects.get(kind=EventKind.EMAIL_CHANGE_REQUESTED)
    assert (event.actor_username, event.target_username) == ("member0001", "member0001")
    assert event.details == {"new": "n***@members.example"}
    assert not SecurityEvent.objects.filter(kind=EventKind.EMAIL_CHANGED).exists()


def test_console_login_is_audited_but_not_a_storefront_login(member, staff_user, no_two_factor):
    from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD

    Client().post("/login/", {"username": "member0001", "password": MEMBER_PASSWORD})
    Client().post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    assert list(SecurityEvent.objects.filter(kind=EventKind.CONSOLE_LOGIN).values_list("target_username", flat=True)) \
        == ["clerk"]
