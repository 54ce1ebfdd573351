"""The admin: the bulk action with its confirmation page, the user's page, the requirements' changelist."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from secure_shopadmin.resets import services
from secure_shopadmin.resets.models import OutgoingMail, ResetRequirement
from secure_shopadmin.testing import pipeline_login

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGELIST = "/admin/auth/user/"


@pytest.fixture
def owner_client(client, superuser):
    return pipeline_login(client, superuser)


@pytest.fixture
def members(db):
    return User.objects.bulk_create([User(username=f"m{i:04d}", email=f"m{i:04d}@members.example", password="!")
                                     for i in range(120)])


def test_action_shows_a_confirmation_page_and_changes_nothing(owner_client, members):
    ids = [str(u.pk) for u in members[:3]]
    response = owner_client.post(CHANGELIST, {"action": "require_password_reset", ACTION_CHECKBOX_NAME: ids})
    assert response.status_code == 200
    content = response.content.decode()
    assert "require-reset-form" in content and "m0000" in content and "3 users" in content
    assert ResetRequirement.objects.count() == 0


def test_action_confirmed_requires_and_mails(owner_client, members):
    ids = [str(u.pk) for u in members[:3]]
    response = owner_client.post(CHANGELIST, {
        "action": "require_password_reset", ACTION_CHECKBOX_NAME: ids, "confirm": "yes",
        "mode": "compromised", "reason": "breach 2024", "notify": "on", "send_now": "on",
    })
    assert response.status_code == 302
    assert ResetRequirement.objects.pending().count() == 3
    # the link comes from SITE_URL, never from the request's Host
    assert len(mail.outbox) == 3 and "http://localhost:8000/security/reset/link/" in mail.outbox[0].body
    assert "testserver" not in mail.outbox[0].body
    assert set(ResetRequirement.objects.values_list("required_by__username", flat=True)) == {"owner"}


def test_action_across_all_pages_in_bulk(owner_client, members):
    response = owner_client.post(CHANGELIST + "?q=m0", {
        "action": "require_password_reset", "select_across": "1", ACTION_CHECKBOX_NAME: [str(members[0].pk)],
        "index": "0",
    })
    assert b'name="select_across" value="1"' in response.content and b"120 users" in response.content
    response = owner_client.post(CHANGELIST + "?q=m0", {
        "action": "require_password_reset", "select_across": "1", ACTION_CHECKBOX_NAME: [str(members[0].pk)],
        "index": "0", "confirm": "yes", "mode": "change", "reason": "precaution",
    })
    assert response.status_code == 302
    assert ResetRequirement.objects.filter(mode="change").count() == 120
    assert OutgoingMail.objects.count() == 0


def test_invalid_confirmation_shows_errors(owner_client, members):
    response = owner_client.post(CHANGELIST, {"action": "require_password_reset",
                                              ACTION_CHECKBOX_NAME: [str(members[0].pk)], "confirm": "yes",
                                              "mode": "compromised", "reason": ""})
    assert response.status_code == 200 and b"errornote" in response.content
    assert ResetRequirement.objects.count() == 0


def test_staff_without_change_permission_has_no_action(client, staff_user, members):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="view_user"))
    pipeline_login(client, staff_user)
    response = client.get(CHANGELIST)
    assert response.status_code == 200 and b"require_password_reset" not in response.content
    client.post(CHANGELIST, {"action": "require_password_reset", ACTION_CHECKBOX_NAME: [str(members[0].pk)],
                             "confirm": "yes", "mode": "compromised", "reason": "x"})
    assert ResetRequirement.objects.count() == 0


def test_user_page_shows_state_and_require_then_cancel(owner_client, member):
    change = reverse("admin:auth_user_change", args=[member.pk])
    page = owner_client.get(change).content.decode()
    assert "No password reset pending." in page and "password-reset/require/" in page
    url = reverse("admin:auth_user_password_reset_require", args=[member.pk])
    assert owner_client.get(url).status_code == 200
    assert ResetRequirement.objects.count() == 0  # GET changes nothing
    response = owner_client.post(url, {"mode": "compromised", "reason": "leaked", "notify": "on", "send_now": "on"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    page = owner_client.get(change).content.decode()
    assert "Pending" in page and "password-reset/cancel/" in page
    cancel = reverse("admin:auth_user_password_reset_cancel", args=[member.pk])
    owner_client.post(cancel, {"reason": "false alarm"})
    assert services.pending_requirement(member) is None
    assert ResetRequirement.objects.get().cancelled_by.username == "owner"


def test_resend_from_user_page(owner_client, member):
    services.require_reset([member.pk], reason="x")
    services.send_reset_mails()
    url = reverse("admin:auth_user_password_reset_resend", args=[member.pk])
    owner_client.post(url)
    assert len(mail.outbox) == 2
    assert services.pending_requirement(member).mail_count == 2


def test_requirements_changelist_filters_with_counts(owner_client, members):
    services.require_reset([u.pk for u in members[:5]], reason="x")
    services.send_reset_mails(limit=2)
    services.cancel(ResetRequirement.objects.filter(user=members[4]))
    url = reverse("admin:secure_shopadmin_resetrequirement_changelist")
    page = owner_client.get(url).content.decode()
    assert "Pending (4)" in page and "Pending, mailed (2)" in page and "Cancelled (1)" in page
    page = owner_client.get(url + "?status=mailed")
    assert page.context["cl"].result_count == 2
    assert owner_client.get(url + "?status=satisfied").context["cl"].result_count == 0


def test_requirement_admin_never_shows_digest_or_snapshot(owner_client, member):
    services.require_reset([member.pk], reason="x")
    requirement = ResetRequirement.objects.get()
    page = owner_client.get(reverse("admin:secure_shopadmin_resetrequirement_change", args=[requirement.pk]))
    assert requirement.old_password_wrapped[:20] not in page.content.decode()


def test_outgoing_mail_admin_requeues_uncertain(owner_client, member):
    from secure_shopadmin.resets import outbox

    services.require_reset([member.pk], reason="x")
    row = OutgoingMail.objects.get()
    outbox.claim(row.pk)
    url = reverse("admin:secure_shopadmin_outgoingmail_changelist")
    assert owner_client.get(url + "?state=sending").context["cl"].result_count == 1
    owner_client.post(url, {"action": "requeue", ACTION_CHECKBOX_NAME: [str(row.pk)]})
    row.refresh_from_db()
    assert row.state == "queued"
