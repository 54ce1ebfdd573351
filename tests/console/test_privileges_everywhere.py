"""Every way to raise what an account may do is told: permissions added to a group (each staff member),
to a user, a staff account reactivated; the Group admin asks a fresh code for any change."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.console import reauth

from .conftest import reauth_blob

pytestmark = pytest.mark.django_db
User = get_user_model()


def granted(username):
    return [event.details["granted"] for event in SecurityEvent.objects.filter(
        kind=EventKind.PRIVILEGE_GRANT, target_username=username).order_by("id")]


@pytest.fixture
def editors(staff_user, member):
    group = Group.objects.create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="change_product"))
    group.user_set.add(staff_user, member)
    return group


def group_form(group, permissions):
    return {"name": group.name, "permissions": [p.pk for p in permissions]}


def test_adding_a_permission_to_a_group_in_the_admin_asks_a_code_then_tells_each_staff_member(
        owner_client, owner_totp, editors, staff_user, stale, django_capture_on_commit_callbacks):
    change_user = Permission.objects.get(codename="change_user")
    url = reverse("admin:auth_group_change", args=[editors.pk])
    blob = reauth_blob(owner_client.post(url, group_form(editors, [*editors.permissions.all(), change_user])))
    assert not editors.permissions.filter(pk=change_user.pk).exists()
    before = len(granted("clerk"))
    with django_capture_on_commit_callbacks(execute=True):
        done = owner_client.post(url, {reauth.FIELD: blob, "otp_token": owner_totp.now()})
    assert done.status_code == 302 and editors.permissions.filter(pk=change_user.pk).exists()
    assert granted("clerk")[before:] == [["permission:auth.change_user@Editors"]]
    assert granted("member0001") == [["group:Editors"]]  # a member without staff status: the admin is closed
    event = SecurityEvent.objects.filter(kind=EventKind.PRIVILEGE_GRANT, target_username="clerk").order_by("id").last()
    assert event.actor_username == "owner"
    [to_clerk] = [m for m in mail.outbox if m.to == ["clerk@shop.example"]]
    assert "auth.change_user" in to_clerk.body and "Editors" in to_clerk.body


def test_deleting_a_group_asks_a_code(owner_client, editors, stale):
    url = reverse("admin:auth_group_delete", args=[editors.pk])
    reauth_blob(owner_client.post(url, {"post": "yes"}))
    assert Group.objects.filter(pk=editors.pk).exists()


def test_permissions_added_from_the_other_side_are_told_too(editors, staff_user):
    change_user = Permission.objects.get(codename="change_user")
    change_user.group_set.add(editors)
    delete_user = Permission.objects.get(codename="delete_user")
    delete_user.user_set.add(staff_user)
    assert granted("clerk")[-2:] == [["permission:auth.change_user@Editors"], ["permission:auth.delete_user"]]


def test_a_permission_given_to_a_user_directly_is_told(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member.user_permissions.add(Permission.objects.get(codename="change_user"))
    assert granted("member0001") == [["permission:auth.change_user"]]
    assert any(m.to == ["security@shop.example"] and "auth.change_user" in m.body for m in mail.outbox)


def test_reactivating_a_staff_account_in_the_admin_asks_a_code_and_is_told(owner_client, owner_totp, staff_user,
                                                                            stale):
    User.objects.filter(pk=staff_user.pk).update(is_active=False)
    before = len(granted("clerk"))  # the fixture made a staff account: told at its creation
    url = reverse("admin:auth_user_change", args=[staff_user.pk])
    data = {"username": "clerk", "email": "clerk@shop.example", "is_active": "on", "is_staff": "on",
            "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"}
    blob = reauth_blob(owner_client.post(url, data))
    assert not User.objects.get(pk=staff_user.pk).is_active
    assert owner_client.post(url, {reauth.FIELD: blob, "otp_token": owner_totp.now()}).status_code == 302
    assert User.objects.get(pk=staff_user.pk).is_active
    assert granted("clerk")[before:] == [["is_active"]]
    event = SecurityEvent.objects.filter(kind=EventKind.PRIVILEGE_GRANT).order_by("id").last()
    assert event.actor_username == "owner"


def test_reactivating_a_member_is_no_privilege(member):
    member.is_active = False
    member.save()
    member.is_active = True
    member.save()
    assert granted("member0001") == []
