"""Starting a campaign's run without blocking the admin's request.

``CAMPAIGN_RUNNER`` chooses how:

* ``"subprocess"`` (default, needs no task queue): a detached ``run_campaign ID`` process, started
  with this interpreter and ``-m django`` (or ``CAMPAIGN_COMMAND``), the same settings module and
  import path; it outlives the request and the admin page follows it by polling.
* ``"celery"``: ``run_campaign_task.delay(id)`` — the host's Celery worker must import this module
  (``app.autodiscover_tasks(["secure_shopadmin.campaigns"])``).
* ``"django_tasks"`` (Django 6.0+): ``run_campaign_task.enqueue(id)`` on the default task backend.
* ``"inline"``: run inside the request (small shops, tests); the request waits.
* a dotted path to a function(campaign_id).
"""

import os
import subprocess
import sys

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ..conf import app_settings
from .models import Campaign, RunState


def run_by_id(campaign_id, **options):
    """Run the campaign (the body of every runner)."""
    from . import runner

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


def _run_for_queue(campaign_id):
    from .runner import RunRefused

    try:
        run_by_id(campaign_id)
    except RunRefused:
        pass  # another run has it


_celery_task = None
_django_task = None


def celery_task():
    """The Celery task (created on first use, so Celery stays optional)."""
    global _celery_task
    if _celery_task is None:
        from celery import shared_task

        _celery_task = shared_task(name="secure_shopadmin.run_campaign")(_run_for_queue)
    return _celery_task


def django_task():
    """The Django task (``django.tasks``, Django 6.0+), created on first use."""
    global _django_task
    if _django_task is None:
        from django.tasks import task

        _django_task = task()(_run_for_queue)
    return _django_task


try:  # register with Celery at import time when it is installed, so workers know the task
    import celery  # noqa: F401
except ImportError:
    pass
else:
    celery_task()
