"""A campaign run on Celery with two worker processes (Redis broker on loopback): the run contains and
mails in one ordered task, queues the wrap as primary-key ranges, both workers take ranges, and the
last range marks the campaign's run finished."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import connection  # noqa: F401  (the skip condition reads it)

from secure_shopadmin.audit.models import SecurityEvent
from secure_shopadmin.campaigns import services, targets, tasks
from secure_shopadmin.campaigns.models import RunState
from secure_shopadmin.core import crypto
from secure_shopadmin.resets.models import ResetRequirement

from ..hashers.external import EXAMPLE, ROOT
from .conftest import old_password, seed_members
from .test_kill_resume import database_url

MEMBERS = 40
BROKER = os.environ.get("SSA_TEST_CELERY_BROKER", "redis://127.0.0.1:6379/9")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor == 'sqlite'",
                       reason="the workers must see the test database (PostgreSQL or MariaDB)"),
]
User = get_user_model()
WORKER_SETTINGS = """
from tests.settings import *  # noqa: F401,F403
from tests.settings import SECURE_SHOPADMIN
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "celery", "WRAP_ARGON2_PARAMS": (2, 32768, 1),
                    "CAMPAIGN_WRAP_TASK_SIZE": 4}
"""
WORKER_APP = """
import django

django.setup()
from celery import Celery

app = Celery("shop", broker=%(broker)r, backend=%(broker)r)
app.conf.task_default_queue = %(queue)r
app.conf.result_expires = 600
app.conf.worker_prefetch_multiplier = 1
app.conf.task_acks_late = True
import secure_shopadmin.campaigns.tasks  # noqa: E402,F401  (registers the tasks)
"""


def redis_available():
    try:
        import redis

        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001
        return False
    return True


def start_worker(tmp_path, name, queue):
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "celery_worker_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT), str(EXAMPLE)])}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_worker_app", "worker", "--pool", "solo", "-n",
         f"{name}@%h", "-Q", queue, "-O", "fair", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "warning"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_two_workers_share_the_wrap_and_the_campaign_finishes(tmp_path, settings, superuser):
    if not redis_available():
        pytest.skip(f"no Redis at {BROKER}")
    from celery import Celery

    queue = f"ssa-test-{uuid.uuid4().hex}"  # its own queue: other runs may share the Redis database
    (tmp_path / "celery_worker_settings.py").write_text(WORKER_SETTINGS)
    (tmp_path / "celery_worker_app.py").write_text(WORKER_APP % {"broker": BROKER, "queue": queue})
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "celery"}
    members = seed_members(MEMBERS)
    campaign = services.create("queued wrap", reason="breach", actor=superuser)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign, actor=superuser)

    Celery("shop", broker=BROKER, backend=BROKER, set_as_current=True).conf.task_default_queue = queue
    workers = [start_worker(tmp_path, name, queue) for name in ("first", "second")]
    try:
        tasks.launch(campaign)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            campaign.refresh_from_db()
            if campaign.run_state in (RunState.FINISHED, RunState.FAILED):
                break
            assert all(worker.poll() is None for worker in workers), workers[0].stderr.read()
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert campaign.run_state == RunState.FINISHED, campaign.run_error
    ranges = SecurityEvent.objects.filter(campaign=campaign, details__step="wrap_range")
    assert ranges.count() == MEMBERS // 4
    assert len({event.details["pid"] for event in ranges}) == 2  # both workers took ranges
    assert sum(event.details["wrapped"] for event in ranges) == MEMBERS
    assert campaign.targets.filter(wrap_state="wrapped").count() == MEMBERS
    assert campaign.run_report["wrap_tasks"] == MEMBERS // 4
    assert campaign.phases["wrap"]["seconds"] is not None
    for requirement in ResetRequirement.objects.filter(user__in=[m.pk for m in members]).select_related("user"):
        former = crypto.decrypt(requirement.old_password_wrapped).decode()
        assert check_password(old_password(int(requirement.user.username.removeprefix("member"))), former)
    finished = SecurityEvent.objects.get(campaign=campaign, details__step="run_finished")
    assert {"contain_seconds", "mail_seconds", "wrap_seconds"} <= set(finished.details)
