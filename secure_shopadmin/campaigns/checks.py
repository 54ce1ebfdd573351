"""System checks of the campaign settings (ids W160-W162, E160-E164)."""

import django
from django.conf import settings
from django.core import checks

from ..conf import app_settings

RUNNERS = ("subprocess", "celery", "django_tasks", "inline")


def _msg(id_, msg, hint, level=checks.Error):
    return level(msg, hint=hint, id=f"secure_shopadmin.{id_}")


@checks.register(checks.Tags.security)
def check_campaign_settings(app_configs=None, **kwargs):
    errors = []
    for key in ("CAMPAIGN_BATCH_SIZE", "CAMPAIGN_WRAP_WORKERS", "CAMPAIGN_WRAP_TASK_SIZE", "CAMPAIGN_STALE_AFTER",
                "CAMPAIGN_MAIL_ATTEMPTS"):
        value = getattr(app_settings, key)
        if value is None and key == "CAMPAIGN_WRAP_WORKERS":
            continue  # one per CPU
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.append(_msg("E160", f'SECURE_SHOPADMIN["{key}"] must be a positive integer.',
                               "Remove the key to use the default (see the settings reference)."))
    per_minute = app_settings.CAMPAIGN_MAILS_PER_MINUTE
    if not isinstance(per_minute, int) or isinstance(per_minute, bool) or per_minute < 0:
        errors.append(_msg("E161", 'SECURE_SHOPADMIN["CAMPAIGN_MAILS_PER_MINUTE"] must be 0 (no limit) or more.',
                           "Set the number of campaign mails your mail service accepts per minute, or 0."))
    retry = app_settings.CAMPAIGN_MAIL_RETRY_SECONDS
    if not isinstance(retry, (int, float)) or isinstance(retry, bool) or retry < 0:
        errors.append(_msg("E164", 'SECURE_SHOPADMIN["CAMPAIGN_MAIL_RETRY_SECONDS"] must be a number of seconds, '
                           "0 or more.", "Remove the key to use the default (5 seconds)."))
    errors += check_runner(app_settings.CAMPAIGN_RUNNER)
    command = app_settings.CAMPAIGN_COMMAND
    if command is not None and (not isinstance(command, (list, tuple)) or not any("{id}" in str(p) for p in command)):
        errors.append(_msg("W161", 'SECURE_SHOPADMIN["CAMPAIGN_COMMAND"] should be a list holding "{id}".',
                           'e.g. ["/srv/shop/venv/bin/python", "/srv/shop/manage.py", "run_campaign", "{id}", '
                           '"--no-progress"]', level=checks.Warning))
    return errors


def check_runner(runner):
    if not isinstance(runner, str) or (runner not in RUNNERS and "." not in runner):
        return [_msg("E162", f'SECURE_SHOPADMIN["CAMPAIGN_RUNNER"] must be one of {", ".join(RUNNERS)} or a dotted '
                     "path.", 'The default "subprocess" needs no task queue.')]
    if runner == "inline":
        return [_msg("W160", 'SECURE_SHOPADMIN["CAMPAIGN_RUNNER"] is "inline": a large campaign then runs inside '
                     "the admin's request.", 'Use "subprocess" (default), "celery" or "django_tasks".',
                     level=checks.Warning)]
    if runner == "celery":
        try:
            import celery  # noqa: F401  (optional: only tells whether it is installed)
        except ImportError:
            return [_msg("E162", 'CAMPAIGN_RUNNER is "celery" but Celery is not installed.',
                         'Install Celery, or use the "subprocess" runner.')]
    if runner == "django_tasks":
        return check_task_backend()
    return []


def check_task_backend():
    """The ``django_tasks`` runner needs Django 6.0+ and a default backend that runs tasks elsewhere."""
    if django.VERSION < (6, 0):
        return [_msg("E162", 'CAMPAIGN_RUNNER is "django_tasks" but django.tasks needs Django 6.0 or later.',
                     'Use the "subprocess" runner on this Django.')]
    backend = getattr(settings, "TASKS", {}).get("default", {}).get(
        "BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    if backend.endswith(".DummyBackend"):
        return [_msg("E163", 'CAMPAIGN_RUNNER is "django_tasks" but the default task backend is the DummyBackend: '
                     "runs would never start.", "Configure a task backend with a worker in TASKS['default'].")]
    if backend.endswith(".ImmediateBackend"):
        return [_msg("W162", 'CAMPAIGN_RUNNER is "django_tasks" but the default task backend is the '
                     "ImmediateBackend: a large campaign then runs inside the admin's request.",
                     "Configure a task backend with a worker in TASKS['default'], or use the \"subprocess\" runner.",
                     level=checks.Warning)]
    return []
