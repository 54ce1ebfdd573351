"""Retention: prune_login_records keeps recent records and each user's latest successful login."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from secure_shopadmin.alerts.models import AlertDecision, LoginRecord
from secure_shopadmin.core.models import KnownDevice, UserSession

from .conftest import FIREFOX_LINUX, OTHER_IP, browser

pytestmark = pytest.mark.django_db


def prune(*args):
    out = io.StringIO()
    call_command("prune_login_records", *args, stdout=out)
    return out.getvalue()


def age(record, days):
    LoginRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_prune_keeps_recent_records_and_the_latest_success(member, staff_user, login, no_two_factor, client):
    old_first = login(browser(), member)
    old_second = login(browser(FIREFOX_LINUX, OTHER_IP), member)
    recent = login(browser(), staff_user)
    client.post("/admin/login/", {"username": staff_user.username, "password": "wrong"})
    failed = LoginRecord.objects.get(outcome="failed")
    for record in (old_first, old_second, failed):
        age(record, 400)
    assert prune("--dry-run").startswith("Would delete 2 login records")
    assert LoginRecord.objects.count() == 4
    prune()
    assert set(LoginRecord.objects.values_list("pk", flat=True)) == {old_second.pk, recent.pk}


def test_first_login_rule_survives_pruning(member, login):
    first = login(browser(), member)
    age(first, 400)
    prune()
    assert LoginRecord.objects.filter(pk=first.pk).exists()
    # long away, then a login from elsewhere: still an alert, not a silent "first login"
    assert login(browser(FIREFOX_LINUX, OTHER_IP), member).alert == AlertDecision.SENT


def test_prune_drops_stale_devices_and_dead_session_records(member, login, settings):
    client = browser()
    login(client, member)
    gone = browser(FIREFOX_LINUX, OTHER_IP)
    login(gone, member)
    gone.session.delete()  # expired or deleted in the backend, never logged out
    long_ago = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    UserSession.objects.update(created_at=long_ago)
    KnownDevice.objects.filter(pk=KnownDevice.objects.order_by("pk").first().pk).update(
        last_seen=timezone.now() - timedelta(days=800))
    assert "1 known devices, 1 ended session records" in prune()
    assert UserSession.objects.filter(user=member).count() == 1
    assert client.get("/account/").status_code == 200  # the live session is untouched
