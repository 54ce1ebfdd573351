"""The acceptance run on PostgreSQL: 101,624 members and 320 staff, the leaked list uploaded, previewed,
applied and run by ``manage.py run_campaign`` in a subprocess that is SIGKILLed twice (while requiring,
while mailing) and rerun: the same end state, no mail twice, the mails left in ``sending`` named."""

import hashlib
import os
import re
import signal
import subprocess
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection

from secure_shopadmin.campaigns import runner, services
from secure_shopadmin.campaigns.models import CampaignTarget
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.resets.models import MailState, ResetRequirement

from ..hashers.external import manage
from .conftest import give_sessions, upload

MEMBERS, STAFF = 101_624, 320
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                       reason="the full-size run needs PostgreSQL (DATABASE_URL)"),
]
User = get_user_model()
RUN_SETTINGS = """
from tests.settings import *  # noqa: F401,F403
from tests.settings import SECURE_SHOPADMIN
from tests.mailers import mail_settings
DEBUG = False
globals().update(mail_settings("django.core.mail.backends.filebased.EmailBackend", file_path=%r))
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "WRAP_ARGON2_PARAMS": (1, 256, 1)}
"""


def copy_users(rows):
    columns = ("username", "email", "password", "first_name", "last_name", "is_superuser", "is_staff",
               "is_active", "date_joined")
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY auth_user ({', '.join(columns)}) FROM STDIN") as copy:
        for username, email, password, staff in rows:
            copy.write_row((username, email, password, "", "", False, staff, True, "2020-01-01T00:00:00Z"))


def seed():
    def md5(text):
        return "legacy_md5$" + hashlib.md5(text.encode()).hexdigest()

    copy_users([(f"m{i:06d}", f"m{i:06d}@members.example", md5(f"pw{i}"), False) for i in range(MEMBERS)])
    copy_users([(f"staff{i:03d}", f"staff{i:03d}@shop.example", md5(f"st{i}"), True) for i in range(STAFF)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE auth_user")


def run_database_url():
    parts = connection.settings_dict
    return f"postgres://{parts['USER']}@{parts['HOST'] or '127.0.0.1'}:{parts['PORT'] or 5432}/{parts['NAME']}"


def start_run(campaign, settings_dir, *more):
    """A run; after a kill, ``--force`` (the killed run's heartbeat is still fresh)."""
    return manage(run_database_url(), "run_campaign", str(campaign.pk), "--no-progress", "--batch-size", "2000", *more,
                  settings_module="campaign_run_settings", extra_path=[settings_dir],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(process, condition, timeout=600):
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if condition():
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.2)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()


def outbox_recipients(directory):
    found = Counter()
    for path in directory.iterdir():
        found.update(re.findall(r"^To: (.+)$", path.read_text(errors="replace"), flags=re.MULTILINE))
    return found


def test_full_size_breach_killed_twice_and_rerun(tmp_path, superuser):
    started = time.monotonic()
    seed()
    outbox_dir = tmp_path / "outbox"
    outbox_dir.mkdir()
    (tmp_path / "campaign_run_settings.py").write_text(RUN_SETTINGS % str(outbox_dir))
    members = User.objects.filter(is_staff=False, is_superuser=False)
    give_sessions(list(members.order_by("pk")[:1000]) + list(User.objects.filter(username__startswith="staff")))

    campaign = services.create("police notice", reason="breach", actor=superuser)
    lines = [f"m{i:06d}@members.example" for i in range(MEMBERS)] + [f"staff{i:03d}" for i in range(STAFF)]
    source = upload(campaign, lines + ["m000001@MEMBERS.example", "nobody", "# a comment"], actor=superuser)
    assert (source.matched, source.duplicates, source.unknown) == (MEMBERS + STAFF, 1, ["nobody"])
    preview = services.preview(campaign)
    assert (preview.members, preview.staff, preview.with_sessions) == (MEMBERS, STAFF, 1320)
    assert preview.fast_legacy == MEMBERS + STAFF and preview.staff_without_2fa == STAFF
    assert not ResetRequirement.objects.exists()
    services.apply(campaign, actor=superuser)

    targets = CampaignTarget.objects.filter(campaign=campaign)
    first = start_run(campaign, tmp_path)
    kill_when(first, lambda: targets.filter(required_at__isnull=False).count() >= 40_000)
    mails = runner.campaign_mails(campaign)
    second = start_run(campaign, tmp_path, "--force")
    kill_when(second, lambda: mails.filter(state=MailState.SENT).count() >= 20_000)  # mails go out while containing
    assert targets.filter(required_at__isnull=False).count() >= 40_000
    third = start_run(campaign, tmp_path, "--force")
    out, err = third.communicate(timeout=900)
    assert third.returncode == 0, err

    total = MEMBERS + STAFF
    assert ResetRequirement.objects.pending().filter(mode="compromised").count() == total
    assert not UserSession.objects.exists() and not Session.objects.exists()
    assert not User.objects.filter(password__startswith="legacy_md5$").exists()
    assert targets.filter(wrap_state="wrapped").count() == total
    sending = list(mails.filter(state=MailState.SENDING).select_related("user"))
    assert mails.filter(state=MailState.SENT).count() + len(sending) == total
    for row in sending:  # the report names every mail the kill left in ``sending``
        assert f"sending: mail {row.pk} to {row.user.username}" in out
    recipients = outbox_recipients(outbox_dir)
    assert max(recipients.values()) == 1  # no mail twice
    sent_addresses = set(mails.filter(state=MailState.SENT).values_list("user__email", flat=True))
    assert sent_addresses <= set(recipients)
    assert len(recipients) - len(sent_addresses) <= len(sending)  # at most the uncertain ones left, unmarked
    print(f"\nfull-size campaign: {time.monotonic() - started:.0f} s, {len(sending)} mails left in sending\n{out}")
