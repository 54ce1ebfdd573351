"""Starting a campaign's run without blocking the admin's request.

``CAMPAIGN_RUNNER`` chooses how:

* ``"subprocess"`` (default, needs no task queue): a detached ``run_campaign ID`` process, started
  with this interpreter and ``-m django`` (or ``CAMPAIGN_COMMAND``), the same settings module and
  import path; it outlives the request and the admin page follows it by polling.
* ``"celery"``: the task ``secure_shopadmin.run_campaign`` is sent to the host's Celery workers,
  which must import this module (``app.autodiscover_tasks(["secure_shopadmin.campaigns"])``).
* ``"django_tasks"`` (Django 6.0+): :data:`run_campaign_task` is enqueued on the default task backend.
* ``"inline"``: run inside the request (small shops, tests); the request waits.
* a dotted path to a function(campaign_id).

The ``celery`` and ``django_tasks`` runners also carry ``wrap_legacy_hashes --distribute``: one task
(``secure_shopadmin.wrap_range`` / :data:`wrap_range_task`) per primary-key range of users.
"""

import os
import subprocess
import sys

import django
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ..conf import app_settings
from . import runner, wrap
from .models import Campaign, RunState
from .runner import RunRefused

#: the runners that hand work to a task queue, so to other machines
QUEUE_RUNNERS = ("celery", "django_tasks")


def run_by_id(campaign_id, **options):
    """Run the campaign (the body of every runner)."""
    return runner.run(Campaign.objects.get(pk=campaign_id), **options)


def command(campaign_id):
    argv = app_settings.CAMPAIGN_COMMAND or [sys.executable, "-m", "django", "run_campaign", "{id}",
                                             "--no-progress"]
    return [str(part).replace("{id}", str(campaign_id)) for part in argv]


def spawn(campaign_id):
    """Start ``run_campaign ID`` as a detached process (its own session, no terminal); returns the Popen."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    if getattr(settings, "SETTINGS_MODULE", None):
        env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
    return subprocess.Popen(command(campaign_id), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)


def launch(campaign):
    """Start (or resume) the campaign's run the configured way; the run itself takes the campaign."""
    Campaign.objects.filter(pk=campaign.pk).exclude(run_state=RunState.RUNNING).update(
        run_state=RunState.STARTING, run_heartbeat_at=timezone.now(), run_error="")
    runner_name = app_settings.CAMPAIGN_RUNNER
    if runner_name == "subprocess":
        return spawn(campaign.pk)
    if runner_name == "inline":
        return run_by_id(campaign.pk)
    if runner_name == "celery":
        return celery_task().delay(campaign.pk)
    if runner_name == "django_tasks":
        return django_task().enqueue(campaign.pk)
    return import_string(runner_name)(campaign.pk)


def run_queued(campaign_id):
    """The body of a queued run (Celery, ``django.tasks``): a run that finds another alive gives way."""
    try:
        run_by_id(campaign_id)
    except RunRefused:
        pass  # another run has it


def run_campaign_task(campaign_id):
    """Run campaign ``campaign_id``; a ``django.tasks`` task (this name) when that runner is configured.

    A task worker imports the task by its dotted path, so the task must be this module's attribute
    of the function's own name: :func:`django_task` makes it so (at import when the runner is
    ``"django_tasks"``, so a fresh worker process finds it).
    """
    run_queued(campaign_id)


def django_task():
    """The ``django.tasks`` task (Django 6.0+) of the default backend, made on first use."""
    global run_campaign_task
    if not hasattr(run_campaign_task, "enqueue"):
        from django.tasks import task

        run_campaign_task = task()(run_campaign_task)
    return run_campaign_task


_celery_task = None


def celery_task():
    """The Celery task ``secure_shopadmin.run_campaign`` (made on first use, so Celery stays optional)."""
    global _celery_task
    if _celery_task is None:
        from celery import shared_task

        _celery_task = shared_task(name="secure_shopadmin.run_campaign")(run_queued)
    return _celery_task


def wrap_range_task(after, upto, params, reason=""):
    """Wrap the users of one primary-key range; a ``django.tasks`` task (this name) with that runner."""
    return wrap.wrap_range(after, upto, params, reason)


def django_wrap_task():
    """The ``django.tasks`` task that wraps one range, made on first use (as :func:`django_task`)."""
    global wrap_range_task
    if not hasattr(wrap_range_task, "enqueue"):
        from django.tasks import task

        wrap_range_task = task()(wrap_range_task)
    return wrap_range_task


_celery_wrap_task = None


def celery_wrap_task():
    """The Celery task ``secure_shopadmin.wrap_range``."""
    global _celery_wrap_task
    if _celery_wrap_task is None:
        from celery import shared_task

        _celery_wrap_task = shared_task(name="secure_shopadmin.wrap_range")(wrap.wrap_range)
    return _celery_wrap_task


def enqueue_wrap_range(after, upto, params, reason=""):
    """Queue the wrap of one range on the configured queue runner (``QUEUE_RUNNERS``); returns its result handle."""
    args = (after, upto, list(params), reason)
    if app_settings.CAMPAIGN_RUNNER == "celery":
        return celery_wrap_task().delay(*args)
    if app_settings.CAMPAIGN_RUNNER == "django_tasks":
        return django_wrap_task().enqueue(*args)
    raise ValueError(f"CAMPAIGN_RUNNER {app_settings.CAMPAIGN_RUNNER!r} is not a task queue")


try:  # register with Celery at import time when it is installed, so workers know the tasks
    import celery  # noqa: F401
except ImportError:
    pass
else:
    celery_task()
    celery_wrap_task()

if app_settings.CAMPAIGN_RUNNER == "django_tasks" and django.VERSION >= (6, 0):
    django_task()
    django_wrap_task()
