"""wrap_legacy_hashes --distribute: primary-key ranges as tasks on a Celery worker or django.tasks, resumable."""

import io
import time

import django
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management import call_command
from django.core.management.base import CommandError

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.campaigns.wrap import wrap_range
from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.wrapping import pk_ranges

User = get_user_model()
CHEAP = (1, 256, 1)


@pytest.fixture
def members(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "WRAP_ARGON2_PARAMS": CHEAP}
    password_of = {}
    for number in range(23):
        username = f"member{number:02d}"
        password_of[username] = f"old password {number}"
        User.objects.create(username=username, password=make_legacy_password("md5", password_of[username]))
        if number % 4 == 0:  # not candidates, between them
            User.objects.create(username=f"modern{number:02d}", password=make_password("pw"))
    return password_of


def passwords():
    return dict(User.objects.values_list("username", "password"))


def distribute(*args):
    out = io.StringIO()
    call_command("wrap_legacy_hashes", "--noinput", "--no-progress", "--distribute", *args, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


def wait_for_tasks(finished, count, timeout=120):
    """Until the worker has finished ``count`` tasks (its own signal: reading the table while the worker
    writes it fails on SQLite's shared in-memory test database, "database table is locked")."""
    deadline = time.monotonic() + timeout
    while len(finished) < count:
        assert time.monotonic() < deadline, f"the worker finished {len(finished)} of {count} tasks in time"
        time.sleep(0.1)


def assert_every_member_logs_in(password_of):
    stored = passwords()
    for username, password in password_of.items():
        assert stored[username].startswith("argon2w$md5$1.256.1$")
        assert check_password(password, stored[username])


@pytest.mark.django_db
def test_ranges_hold_task_size_candidates_and_cover_them_all(members):
    ranges = pk_ranges(5)
    assert len(ranges) == 5 and ranges[0][0] is None and ranges[-1][1] is None
    candidate_pks = list(User.objects.filter(password__startswith="legacy_md5$").order_by("pk")
                         .values_list("pk", flat=True))
    covered = [[pk for pk in candidate_pks if (a is None or pk > a) and (b is None or pk <= b)] for a, b in ranges]
    assert [len(pks) for pks in covered] == [5, 5, 5, 5, 3]
    assert sorted(sum(covered, [])) == candidate_pks
    assert pk_ranges(23) == [(None, None)] and len(pk_ranges(1)) == 23


@pytest.mark.django_db
def test_without_a_task_queue_runner_the_command_refuses(members):
    with pytest.raises(CommandError, match='CAMPAIGN_RUNNER"\\] to "celery" or "django_tasks"'):
        distribute()
    assert not User.objects.filter(password__startswith="argon2w$").exists()


@pytest.mark.django_db(transaction=True)
def test_celery_workers_wrap_the_ranges_and_a_rerun_resumes(members, settings):
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "celery"}
    first = pk_ranges(7)[0]
    done = wrap_range(*first, CHEAP, reason="first range, then killed")  # a run that did one task only
    assert done["wrapped"] == {"md5": 7}
    before = {u: v for u, v in passwords().items() if v.startswith("argon2w$")}
    app = Celery("shop", broker="memory://", backend="cache+memory://", set_as_current=True)
    app.conf.task_always_eager = False
    finished = []

    def count_finished(sender=None, state=None, **kwargs):
        finished.append(state)

    task_postrun.connect(count_finished, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            assert "secure_shopadmin.wrap_range" in app.tasks
            out = distribute("--task-size", "7", "--reason", "breach response")
            assert "Queued 3 wrap tasks" in out  # 16 members left: 7 + 7 + 2
            wait_for_tasks(finished, 3)
    finally:
        task_postrun.disconnect(count_finished)
    assert finished == ["SUCCESS"] * 3
    assert User.objects.filter(password__startswith="argon2w$").count() == 23
    assert {u: v for u, v in passwords().items() if u in before} == before  # none wrapped twice
    assert_every_member_logs_in(members)
    tasks = SecurityEvent.objects.filter(kind=EventKind.HASH_WRAP, details__has_key="pk_upto")
    assert tasks.count() == 4 and sum(event.details["wrapped"].get("md5", 0) for event in tasks) == 23
    queued = SecurityEvent.objects.get(kind=EventKind.HASH_WRAP, details__has_key="distributed")
    assert (queued.reason, queued.details["distributed"], queued.details["runner"]) == ("breach response", 3, "celery")


@pytest.mark.skipif(django.VERSION < (6, 0), reason="django.tasks is Django 6.0+")
@pytest.mark.django_db(transaction=True)
def test_django_tasks_wrap_the_ranges(members, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "django_tasks"}
    out = distribute("--task-size", "10")
    assert "Queued 3 wrap tasks" in out
    assert_every_member_logs_in(members)
    assert "Nothing to wrap" in distribute()


@pytest.mark.django_db
def test_a_login_during_a_task_is_never_overwritten(members, monkeypatch):
    """The tasks write with the same compare-and-set as the command: a member upgraded meanwhile keeps it."""
    from secure_shopadmin.hashers import wrapping

    original = wrapping.write

    def member_logs_in_first(user_model, chunk, tags, params, report):
        user = User.objects.get(pk=chunk[0].pk)
        assert user.check_password(members[user.username])
        return original(user_model, chunk, tags, params, report)

    monkeypatch.setattr(wrapping, "write", member_logs_in_first)
    details = wrap_range(None, None, CHEAP)
    assert details["changed_meanwhile"] > 0
    for username, password in members.items():
        assert check_password(password, passwords()[username])


@pytest.mark.skipif(django.VERSION < (6, 0), reason="django.tasks is Django 6.0+")
def test_a_task_worker_finds_the_wrap_task_by_its_path(tmp_path):
    """What a django.tasks worker process does: import the task by the dotted path the backend stored."""
    import os
    import subprocess
    import sys

    (tmp_path / "tasks_settings.py").write_text(
        "from tests.settings import *  # noqa\n"
        "from tests.settings import SECURE_SHOPADMIN\n"
        'SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "django_tasks"}\n'
        'TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}\n')
    code = ("import django; django.setup()\n"
            "from django.utils.module_loading import import_string\n"
            "from django.tasks import Task\n"
            "task = import_string('secure_shopadmin.campaigns.tasks.wrap_range_task')\n"
            "assert isinstance(task, Task) and import_string(task.module_path) is task, task\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tasks_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), root, os.path.join(root, "example_project")])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
