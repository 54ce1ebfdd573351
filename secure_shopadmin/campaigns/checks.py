"""System checks of the campaign settings (ids W160-W161, E160-E162)."""

from django.core import checks

from ..conf import app_settings

RUNNERS = ("subprocess", "celery", "django_tasks", "inline")


@checks.register(checks.Tags.security)
def check_campaign_settings(app_configs=None, **kwargs):
    errors = []
    for key in ("CAMPAIGN_BATCH_SIZE", "CAMPAIGN_WRAP_WORKERS", "CAMPAIGN_STALE_AFTER"):
        value = getattr(app_settings, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.append(checks.Error(f'SECURE_SHOPADMIN["{key}"] must be a positive integer.',
                                       id="secure_shopadmin.E160"))
    per_minute = app_settings.CAMPAIGN_MAILS_PER_MINUTE
    if not isinstance(per_minute, int) or isinstance(per_minute, bool) or per_minute < 0:
        errors.append(checks.Error('SECURE_SHOPADMIN["CAMPAIGN_MAILS_PER_MINUTE"] must be 0 (no limit) or more.',
                                   id="secure_shopadmin.E161"))
    runner = app_settings.CAMPAIGN_RUNNER
    if not isinstance(runner, str) or (runner not in RUNNERS and "." not in runner):
        errors.append(checks.Error(
            f'SECURE_SHOPADMIN["CAMPAIGN_RUNNER"] must be one of {", ".join(RUNNERS)} or a dotted path.',
            id="secure_shopadmin.E162"))
    elif runner == "inline":
        errors.append(checks.Warning(
            'SECURE_SHOPADMIN["CAMPAIGN_RUNNER"] is "inline": a large campaign then runs inside the admin\'s request.',
            hint='Use "subprocess" (default), "celery" or "django_tasks".', id="secure_shopadmin.W160"))
    elif runner == "celery":
        try:
            import celery  # noqa: F401
        except ImportError:
            errors.append(checks.Error('CAMPAIGN_RUNNER is "celery" but Celery is not installed.',
                                       id="secure_shopadmin.E162"))
    command = app_settings.CAMPAIGN_COMMAND
    if command is not None and (not isinstance(command, (list, tuple)) or not any("{id}" in str(p) for p in command)):
        errors.append(checks.Warning('SECURE_SHOPADMIN["CAMPAIGN_COMMAND"] should be a list holding "{id}".',
                                     id="secure_shopadmin.W161"))
    return errors
