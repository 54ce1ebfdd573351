"""Privilege alerts: granting staff, superuser or an admin group mails the user and the security contacts,
and writes an audit event (who, whom, what); the overview lists recent grants."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, update_last_login
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db
User = get_user_model()


def grants(username="member0001"):
    return list(SecurityEvent.objects.filter(kind=EventKind.PRIVILEGE_GRANT, target_username=username).order_by("id"))


@pytest.fixture
def editors(db):
    group = Group.objects.create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="change_product"))
    return group


def change_form(member, **extra):
    return {"username": member.username, "email": member.email, "is_active": "on",
            "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00", **extra}


def test_granting_staff_in_the_admin_is_audited_and_mailed(owner_client, member, editors,
                                                            django_capture_on_commit_callbacks):
    url = reverse("admin:auth_user_change", args=[member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, change_form(member, is_staff="on", groups=[editors.pk]),
                                     REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    staff, group = grants()
    assert (staff.actor_username, staff.target_username, staff.details["granted"]) == ("owner", "member0001",
                                                                                      ["is_staff"])
    assert group.details["granted"] == ["group:Editors"] and group.actor_username == "owner"
    assert staff.ip == "10.9.8.7"
    to_user = [m for m in mail.outbox if m.to == ["m1@members.example"]]
    to_contacts = [m for m in mail.outbox if m.to == ["security@shop.example"]]
    assert len(to_user) == 2 and len(to_contacts) == 2
    assert "management console" in to_user[0].body and "owner" in to_user[0].body
    assert "member0001" in to_contacts[0].subject and "10.9.8.7" in to_contacts[0].body
    assert "Editors" in to_contacts[1].body


def test_a_grant_outside_the_admin_is_told_too(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member.is_superuser = True
        member.save()
    [event] = grants()
    assert event.actor_username == "" and event.details["granted"] == ["is_superuser"]
    [contacts] = [m for m in mail.outbox if m.to == ["security@shop.example"]]
    assert "outside the admin" in contacts.body


def test_a_new_staff_account_is_a_grant(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.create_superuser("root2", "root2@shop.example", "x" * 20)
    [event] = grants("root2")
    assert event.details["granted"] == ["is_staff", "is_superuser"]


def test_group_grants_both_ways_and_only_groups_with_permissions(member, editors):
    empty = Group.objects.create(name="Newsletter")
    member.groups.add(empty)
    assert grants() == []
    editors.user_set.add(member)
    [event] = grants()
    assert event.target_username == "member0001" and event.details["granted"] == ["group:Editors"]


def test_taking_a_right_away_or_keeping_it_is_no_grant(staff_user):
    staff_user.first_name = "Taro"
    staff_user.save()
    staff_user.is_staff = False
    staff_user.save()
    assert [e.details["granted"] for e in grants("clerk")] == [["is_staff"]]  # only the fixture's creation


def test_the_login_timestamp_costs_no_query_for_the_alerts(member):
    with CaptureQueriesContext(connection) as queries:
        update_last_login(None, member)
    assert len(queries) == 1


def test_the_overview_lists_recent_grants(owner_client, member):
    member.is_staff = True
    member.save()
    page = owner_client.get(reverse("admin:secure_shopadmin_securityoverview_changelist")).content.decode()
    table = page[page.index('id="ssa-grants"'):]
    assert "member0001" in table and "is_staff" in table
    assert 'data-key="privilege_grants_7d"' in page
