"""A break-glass pass is bound to the session that spent the link, checked against its row on each
request that needs it, and revocable from the Security overview."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.console.models import ConsolePass
from secure_shopadmin.testing import pipeline_login

pytestmark = [pytest.mark.django_db]
OUTSIDE, ELSEWHERE = "198.51.100.7", "192.0.2.44"
OVERVIEW = "/admin/secure_shopadmin/securityoverview/"


@pytest.fixture(autouse=True)
def office_only(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["127.0.0.0/8"]}


@pytest.fixture
def pass_browser():
    out = StringIO()
    call_command("console_pass", "--reason", "travelling owner", "--by", "ops", stdout=out)
    browser = Client(REMOTE_ADDR=OUTSIDE)
    assert browser.post(out.getvalue().strip().replace("http://localhost:8000", "")).status_code == 302
    assert browser.get(reverse("admin:login")).status_code == 200
    return browser


def test_the_cookie_copied_to_another_browser_passes_nothing(pass_browser):
    thief = Client(REMOTE_ADDR=ELSEWHERE)
    thief.cookies["ssa_console_pass"] = pass_browser.cookies["ssa_console_pass"].value
    assert thief.get(reverse("admin:login")).status_code == 403


def test_a_deleted_or_revoked_pass_lets_nobody_in(pass_browser):
    ConsolePass.objects.update(revoked_at="2030-01-01T00:00:00Z")
    assert pass_browser.get(reverse("admin:login")).status_code == 403
    ConsolePass.objects.all().delete()
    assert pass_browser.get(reverse("admin:login")).status_code == 403


def test_the_overview_lists_live_passes_and_revokes_one(pass_browser, superuser, owner_totp):
    row = ConsolePass.objects.get()
    owner = pipeline_login(Client(), superuser)
    page = owner.get(OVERVIEW).content.decode()
    assert 'id="ssa-passes"' in page and "travelling owner" in page
    url = reverse("admin:secure_shopadmin_consolepass_revoke", args=[row.pk])
    assert owner.get(url).status_code == 405  # only a POST revokes
    assert Client(enforce_csrf_checks=True).post(url).status_code in (302, 403)  # anonymous: to the login
    csrf_checked = pipeline_login(Client(enforce_csrf_checks=True), superuser)
    assert csrf_checked.post(url).status_code == 403  # no CSRF token
    assert owner.post(url).status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == "owner"
    assert pass_browser.get(reverse("admin:login")).status_code == 403
    event = SecurityEvent.objects.get(kind=EventKind.CONSOLE_PASS, details__step="revoked")
    assert event.actor_username == "owner" and event.details["pass_id"] == row.pk
    assert "travelling owner" not in owner.get(OVERVIEW).content.decode()


def test_a_staff_member_without_the_permission_cannot_revoke(pass_browser, staff_user, staff_totp):
    clerk = pipeline_login(Client(), staff_user)
    url = reverse("admin:secure_shopadmin_consolepass_revoke", args=[ConsolePass.objects.get().pk])
    assert clerk.post(url).status_code == 403
    assert ConsolePass.objects.get().revoked_at is None
