"""The wrap of a campaign as task queue tasks: one per primary-key range of its targets.

With ``CAMPAIGN_RUNNER`` ``"celery"`` (task ``secure_shopadmin.wrap_campaign_range``) or
``"django_tasks"`` (:data:`wrap_campaign_range_task`), the run queues the ranges once its targets
are contained; any number of workers, on any number of machines, take them. The last range to end
marks the campaign's run finished.
"""

import django

from ..conf import app_settings
from ..hashers.wrapping import ranges_of
from . import run_state, wrap
from .models import Campaign

QUEUE_RUNNERS = ("celery", "django_tasks")


def wrap_campaign_range(campaign_id, after, upto, params):
    """Wrap the kept hashes of one range of a campaign's targets; returns the counts."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.wrap_hashes:
        return {}
    counts = wrap.wrap_range_of_campaign(campaign, after, upto, params)
    run_state.finish_if_wrapped(campaign)
    return {"wrapped": counts.wrapped, "other": counts.other}


def wrap_campaign_range_task(campaign_id, after, upto, params):
    """A ``django.tasks`` task (this name) with that runner."""
    return wrap_campaign_range(campaign_id, after, upto, params)


def django_task():
    global wrap_campaign_range_task
    if not hasattr(wrap_campaign_range_task, "enqueue"):
        from django.tasks import task

        wrap_campaign_range_task = task()(wrap_campaign_range_task)
    return wrap_campaign_range_task


_celery_task = None


def celery_task():
    global _celery_task
    if _celery_task is None:
        from celery import shared_task

        _celery_task = shared_task(name="secure_shopadmin.wrap_campaign_range")(wrap_campaign_range)
    return _celery_task


def distributed():
    return app_settings.CAMPAIGN_RUNNER in QUEUE_RUNNERS


def enqueue(campaign, params):
    """Queue one task per ``CAMPAIGN_WRAP_TASK_SIZE`` targets left to wrap; returns how many."""
    ranges = ranges_of(wrap.todo(campaign), app_settings.CAMPAIGN_WRAP_TASK_SIZE)
    for after, upto in ranges:
        args = (campaign.pk, after, upto, list(params.as_tuple()))
        if app_settings.CAMPAIGN_RUNNER == "celery":
            celery_task().delay(*args)
        else:
            django_task().enqueue(*args)
    return len(ranges)


try:  # register with Celery at import time when it is installed, so workers know the task
    import celery  # noqa: F401
except ImportError:
    pass
else:
    celery_task()

if app_settings.CAMPAIGN_RUNNER == "django_tasks" and django.VERSION >= (6, 0):
    django_task()
