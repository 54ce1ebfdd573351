"""Bulk requiring (bounded queries, idempotent reruns) and the force_password_reset command."""

import io

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.resets import services
from secure_shopadmin.resets.models import OutgoingMail, ResetRequirement
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD
from .conftest import storefront_login

pytestmark = pytest.mark.django_db
User = get_user_model()


def make_members(count, start=0):
    users = [User(username=f"bulk{i:05d}", email=f"bulk{i:05d}@members.example", password="!x")
             for i in range(start, start + count)]
    return User.objects.bulk_create(users)


def queries_for(user_ids, batch_size):
    with CaptureQueriesContext(connection) as queries:
        services.require_reset(user_ids, reason="breach", batch_size=batch_size, notify=True)
    return len(queries)


def test_queries_per_batch_are_bounded(member):
    two_batches = [u.pk for u in make_members(40)]
    six_batches = [u.pk for u in make_members(120, start=100)]
    per_batch = queries_for(two_batches, 20) / 2
    assert queries_for(six_batches, 20) == 6 * per_batch  # queries depend on batches, not users
    assert per_batch < 20


def test_bulk_requires_ends_sessions_and_mails_once(settings):
    users = make_members(30)
    sessions_before = []
    for user in users[:5]:
        client = Client()
        user.set_password(MEMBER_PASSWORD)
        user.save()
        storefront_login(client, user.username, MEMBER_PASSWORD)
        sessions_before.append(client)
    assert UserSession.objects.count() == 5 and Session.objects.count() >= 5
    result = services.require_reset(User.objects.filter(username__startswith="bulk"), reason="breach",
                                    batch_size=7)
    assert len(result.required) == 30 and result.mails_queued == 30
    assert UserSession.objects.count() == 0
    for client in sessions_before:
        client.get("/account/")
        assert SESSION_KEY not in client.session
    assert not any(u.has_usable_password() for u in User.objects.filter(username__startswith="bulk"))
    assert SecurityEvent.objects.filter(kind=EventKind.RESET_REQUIRED).count() == 30
    services.send_reset_mails()
    assert len(mail.outbox) == 30
    # rerun: nothing new, no second mail
    again = services.require_reset(User.objects.filter(username__startswith="bulk"), reason="breach")
    assert again.required == [] and len(again.already_pending) == 30 and again.mails_queued == 0
    services.send_reset_mails()
    assert len(mail.outbox) == 30
    assert ResetRequirement.objects.count() == 30


def test_change_is_upgraded_by_compromised(member):
    services.require_reset([member.pk], mode="change", reason="precaution", notify=False)
    result = services.require_reset([member.pk], mode="compromised", reason="breach", notify=False)
    assert result.upgraded == [member.pk]
    requirement = ResetRequirement.objects.get()
    assert requirement.mode == "compromised" and requirement.old_password_wrapped
    member.refresh_from_db()
    assert not member.has_usable_password()


@pytest.mark.skipif(connection.vendor == "mysql",
                    reason="MariaDB/MySQL have no partial unique indexes: the service alone keeps it there")
def test_one_pending_requirement_per_user_is_enforced_by_the_database(member):
    from django.db import IntegrityError, transaction

    services.require_reset([member.pk], reason="x", notify=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResetRequirement.objects.create(user=member, reason="duplicate")


def test_remembered_browsers_are_forgotten(member):
    from datetime import timedelta

    from django.utils import timezone

    from secure_shopadmin.twofactor.models import RememberedBrowser

    RememberedBrowser.objects.create(user=member, token_digest="d" * 64, auth_fingerprint="f",
                                     expires_at=timezone.now() + timedelta(days=1))
    services.require_reset([member.pk], reason="x", notify=False)
    assert not RememberedBrowser.objects.filter(user=member).exists()


def test_requiring_ends_a_session_on_the_cache_backends(settings, member):
    for engine in ("django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db"):
        settings.SESSION_ENGINE = engine
        services.cancel(ResetRequirement.objects.all())
        member.set_password(MEMBER_PASSWORD)
        member.save()
        client = Client()
        storefront_login(client, member.username, MEMBER_PASSWORD)
        assert client.get("/account/").status_code == 200
        services.require_reset([member.pk], mode="change", reason="x", notify=False)
        response = client.get("/account/")
        assert response.status_code == 302 and SESSION_KEY not in client.session, engine


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("force_password_reset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def users_file(tmp_path, member, staff_user):
    make_members(3)
    path = tmp_path / "leaked.txt"
    path.write_bytes(b"\n".join([
        b"member0001", b"", b"   ", b"# a comment", b"BULK00000@members.example", b"bulk00001", b"member0001",
        b"bulk00001", b"nobody", b"caf\xe9\xff", b"bulk00002",
    ]) + b"\n")
    return path


def test_command_lists_unknown_and_undecodable_lines_and_changes_nothing(users_file):
    with pytest.raises(CommandError, match="nothing was changed"):
        run("--users-file", str(users_file), "--reason", "breach", "--notify")
    assert ResetRequirement.objects.count() == 0 and OutgoingMail.objects.count() == 0


def test_command_output_names_the_bad_lines(users_file):
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("force_password_reset", "--users-file", str(users_file), "--reason", "r", "--no-progress",
                     stdout=out)
    text = out.getvalue()
    assert "unknown: nobody" in text and "line 10: not UTF-8" in text
    assert "2 duplicates" in text and "3 blank or comments" in text


def test_command_dry_run_changes_nothing(users_file):
    out = run("--users-file", str(users_file), "--reason", "breach", "--ignore-unknown", "--dry-run", "--notify")
    assert "would require 4" in out
    assert ResetRequirement.objects.count() == 0 and len(mail.outbox) == 0


def test_command_applies_and_rerun_does_not_duplicate(users_file):
    out = run("--users-file", str(users_file), "--reason", "breach", "--ignore-unknown", "--notify")
    assert "required 4 (compromised)" in out and "4 sent" in out
    assert len(mail.outbox) == 4
    out = run("--users-file", str(users_file), "--reason", "breach", "--ignore-unknown", "--notify")
    assert "required 0" in out and "4 already pending" in out
    assert ResetRequirement.objects.count() == 4 and len(mail.outbox) == 4


def test_command_all_staff_and_usernames(member, staff_user, superuser):
    out = run("--all-staff", "--usernames", "member0001", "--reason", "console breach", "--mode", "change")
    assert "required 3 (change)" in out
    assert set(ResetRequirement.objects.values_list("user__username", flat=True)) == {"clerk", "owner",
                                                                                      "member0001"}


def test_command_needs_a_reason_and_someone():
    with pytest.raises(CommandError):
        run("--reason", "x")
    with pytest.raises(CommandError, match="reason"):
        run("--usernames", "member0001")


def test_pipeline_login_helper_sessions_are_covered_by_the_unusable_password(client, member):
    pipeline_login(client, member)
    services.require_reset([member.pk], reason="x", notify=False)
    client.get("/account/")
    assert SESSION_KEY not in client.session


def test_command_dry_run_needs_no_reason(member):
    out = run("--usernames", "member0001", "--dry-run")
    assert "Dry run, nothing changed" in out and "would require 1" in out
    assert ResetRequirement.objects.count() == 0


def test_command_counts_say_what_was_read(users_file, member):
    out = run("--usernames", "member0001", "member0001", "--dry-run")
    assert "lines read" not in out
    assert "--usernames: 1 given (1 repeated)." in out
    out = run("--users-file", str(users_file), "--ignore-unknown", "--dry-run")
    assert f"{users_file}: 11 lines read" in out and "--usernames" not in out
    out = run("--all-staff", "--dry-run")
    assert "--all-staff: 1 staff users." in out and "lines read" not in out
