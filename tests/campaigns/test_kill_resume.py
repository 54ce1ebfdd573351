"""``run_campaign`` in a subprocess, SIGKILLed in each phase (contain, wrap, mail) and resumed, its mails
going to a real SMTP server that answers 451 to every 7th message and drops the connection once:
nothing lost, nothing done twice, no mail twice, and the one mail a kill could leave in flight named."""

import signal
import subprocess
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import connection

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.campaigns import runner, services, targets
from secure_shopadmin.campaigns.models import CampaignTarget, RunState
from secure_shopadmin.core import crypto
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.resets.models import MailState, ResetRequirement

from ..hashers.external import manage
from .conftest import give_sessions, old_password, seed_members
from .smtp_server import SMTPServer, free_port

MEMBERS = 60
PORT = free_port()
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor == 'sqlite'",
                       reason="the run in a subprocess must see the test database (PostgreSQL or MariaDB)"),
]
User = get_user_model()
RUN_SETTINGS = """
from tests.settings import *  # noqa: F401,F403
from tests.settings import SECURE_SHOPADMIN
from tests.mailers import mail_settings
globals().update(mail_settings("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=%d, timeout=10))
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "WRAP_ARGON2_PARAMS": (1, 8192, 1), "CAMPAIGN_WRAP_WORKERS": 2,
                    "WRAP_BATCH_SIZE": 5,
                    "CAMPAIGN_MAIL_RETRY_SECONDS": 0.05, "SITE_URL": "https://shop.example"}
"""


def database_url():
    parts = connection.settings_dict
    scheme = "postgres" if connection.vendor == "postgresql" else "mysql"
    password = f":{parts['PASSWORD']}" if parts.get("PASSWORD") else ""
    port = f":{parts['PORT']}" if parts.get("PORT") else ""
    return f"{scheme}://{parts['USER']}{password}@{parts['HOST'] or '127.0.0.1'}{port}/{parts['NAME']}"


def start_run(campaign, settings_dir, *more):
    return manage(database_url(), "run_campaign", str(campaign.pk), "--no-progress", "--batch-size", "2",
                  "--mails-per-minute", "600", *more, settings_module="campaign_kill_settings",
                  extra_path=[settings_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(process, condition, timeout=120):
    """SIGKILL the run once ``condition()`` holds; returns the pids of its child processes at that moment."""
    deadline = time.monotonic() + timeout
    children = []
    while process.poll() is None and time.monotonic() < deadline:
        if condition():
            children = children_of(process.pid)
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    return children


def children_of(pid):
    listed = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in listed.split()]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_killed_in_each_phase_and_resumed(tmp_path, campaign):
    (tmp_path / "campaign_kill_settings.py").write_text(RUN_SETTINGS % PORT)
    members = seed_members(MEMBERS)
    give_sessions(members[:10])
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    rows = CampaignTarget.objects.filter(campaign=campaign)
    mails = runner.campaign_mails(campaign)

    with SMTPServer(PORT) as smtp:
        server = smtp.handler
        server.gate.clear()  # the first mail of each of the next two runs is held at the server
        first = start_run(campaign, tmp_path)  # killed while containing, a mail in flight
        kill_when(first, lambda: server.held and rows.filter(required_at__isnull=False).count() >= 9)
        assert rows.filter(required_at__isnull=False).count() < MEMBERS and server.held == 1
        second = start_run(campaign, tmp_path, "--force")  # killed while wrapping, a mail in flight
        workers = kill_when(second, lambda: server.held == 2 and rows.filter(wrap_state="wrapped").exists())
        assert len(workers) >= 2  # the wrap's worker processes (and the pool's resource tracker)
        assert rows.filter(required_at__isnull=True).count() == 0 and rows.filter(wrap_state="").exists()
        server.gate.set()  # both held mails arrive after all, though their runs are gone
        so_far = sum(server.accepted.values())
        third = start_run(campaign, tmp_path, "--force")  # killed while mailing
        kill_when(third, lambda: sum(server.accepted.values()) >= so_far + 10)
        assert mails.filter(state=MailState.QUEUED).exists()
        last = start_run(campaign, tmp_path, "--force")
        out, err = last.communicate(timeout=180)
        assert last.returncode == 0, err
        accepted = Counter(server.accepted)
        assert server.refused >= 5 and server.dropped == 1 and server.held == 2

    assert not [pid for pid in workers if alive(pid)]  # the killed run's wrap workers ended with it
    campaign.refresh_from_db()
    assert campaign.run_state == RunState.FINISHED
    # contain: once each
    assert ResetRequirement.objects.pending().filter(mode="compromised").count() == MEMBERS
    assert SecurityEvent.objects.filter(kind=EventKind.RESET_REQUIRED, campaign=campaign).count() == MEMBERS
    assert not UserSession.objects.exists()
    # wrap: once each (a value wrapped twice would no longer be a fast legacy hash: "none", not "wrapped")
    assert rows.filter(wrap_state="wrapped").count() == MEMBERS
    for requirement in ResetRequirement.objects.select_related("user"):
        former = crypto.decrypt(requirement.old_password_wrapped).decode()
        number = int(requirement.user.username.removeprefix("member"))
        assert former.startswith("argon2w$") and check_password(old_password(number), former)
    # mail: nobody twice; everybody once but the mails a kill left in flight, which are named
    assert max(accepted.values()) == 1
    sending = list(mails.filter(state=MailState.SENDING).select_related("user"))
    assert 2 <= len(sending) <= 3  # the held ones, and at most one more in flight at the third kill
    assert mails.filter(state=MailState.SENT).count() + len(sending) == MEMBERS
    sent = set(mails.filter(state=MailState.SENT).values_list("user__email", flat=True))
    assert sent <= set(accepted)
    for row in sending:
        assert f"sending: mail {row.pk} to {row.user.username}" in out
    assert "Time per phase: Contain" in out, out
