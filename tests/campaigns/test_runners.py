"""The admin's run through a task queue: a Celery worker (in-memory broker, a real worker thread) and
``django.tasks`` (Django 6.0+), each running the campaign to its end."""

import os
import subprocess
import sys

import django
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from secure_shopadmin.campaigns import services, targets, tasks
from secure_shopadmin.campaigns.models import Campaign, RunState
from secure_shopadmin.resets.models import ResetRequirement

from .conftest import seed_members

User = get_user_model()
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def applied(cheap_wrap, superuser):
    members = seed_members(30)
    campaign = services.create("queued run", reason="breach", actor=superuser)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign, actor=superuser)
    return campaign


def assert_ran_to_the_end(campaign):
    campaign.refresh_from_db()
    assert campaign.run_state == RunState.FINISHED, campaign.run_error
    assert ResetRequirement.objects.pending().filter(mode="compromised").count() == 30
    assert len([m for m in mail.outbox if m.to != ["owner@shop.example"] and "security@" not in m.to[0]]) == 30


def test_celery_worker_runs_the_campaign(applied, settings):
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "celery"}
    app = Celery("shop", broker="memory://", backend="cache+memory://", set_as_current=True)
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert "secure_shopadmin.run_campaign" in app.tasks
        result = tasks.launch(applied)
        result.get(timeout=120)
    assert_ran_to_the_end(applied)


@pytest.mark.skipif(django.VERSION < (6, 0), reason="django.tasks is Django 6.0+")
def test_django_tasks_backend_runs_the_campaign(applied, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "django_tasks"}
    result = tasks.launch(applied)
    assert result.status == "SUCCESSFUL", result.errors
    assert_ran_to_the_end(applied)


@pytest.mark.skipif(django.VERSION < (6, 0), reason="django.tasks is Django 6.0+")
def test_a_task_worker_finds_the_task_by_its_path(tmp_path):
    """What a worker process does: import the task by the dotted path the backend stored."""
    (tmp_path / "tasks_settings.py").write_text(
        "from tests.settings import *  # noqa\n"
        "from tests.settings import SECURE_SHOPADMIN\n"
        'SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "CAMPAIGN_RUNNER": "django_tasks"}\n'
        'TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}\n')
    code = ("import django; django.setup()\n"
            "from django.utils.module_loading import import_string\n"
            "from django.tasks import Task\n"
            "task = import_string('secure_shopadmin.campaigns.tasks.run_campaign_task')\n"
            "assert isinstance(task, Task) and import_string(task.module_path) is task, task\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tasks_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), root, os.path.join(root, "example_project")])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_queued_run_gives_way_to_a_live_one(applied):
    Campaign.objects.filter(pk=applied.pk).update(run_state=RunState.RUNNING)
    from django.utils import timezone

    Campaign.objects.filter(pk=applied.pk).update(run_heartbeat_at=timezone.now())
    tasks.run_queued(applied.pk)  # refused quietly: another run holds the campaign
    assert not ResetRequirement.objects.exists()
