"""Each misconfiguration of the campaign settings is reported with its id and a hint."""

import sys

import django
import pytest

from secure_shopadmin.campaigns.checks import check_campaign_settings

DJANGO_TASKS = django.VERSION >= (6, 0)


def found(settings, **values):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, **values}
    problems = check_campaign_settings()
    assert all(problem.hint for problem in problems)
    return [problem.id.removeprefix("secure_shopadmin.") for problem in problems]


def test_the_defaults_pass(settings):
    assert found(settings) == []


@pytest.mark.parametrize("key", ["CAMPAIGN_BATCH_SIZE", "CAMPAIGN_WRAP_WORKERS", "CAMPAIGN_STALE_AFTER",
                                 "CAMPAIGN_WRAP_TASK_SIZE", "CAMPAIGN_MAIL_ATTEMPTS"])
@pytest.mark.parametrize("value", [0, -5, "100", True])
def test_sizes_must_be_positive_integers(settings, key, value):
    assert found(settings, **{key: value}) == ["E160"]


def test_wrap_workers_may_be_none_for_one_per_cpu(settings):
    assert found(settings, CAMPAIGN_WRAP_WORKERS=None) == []


@pytest.mark.parametrize("value", [-1, "5", None])
def test_mail_retry_seconds_is_zero_or_more(settings, value):
    assert found(settings, CAMPAIGN_MAIL_RETRY_SECONDS=value) == ["E164"]


@pytest.mark.parametrize("value", [-1, "600", 1.5])
def test_mails_per_minute_is_zero_or_more(settings, value):
    assert found(settings, CAMPAIGN_MAILS_PER_MINUTE=value) == ["E161"]


@pytest.mark.parametrize("runner", ["cron", None, 5])
def test_an_unknown_runner(settings, runner):
    assert found(settings, CAMPAIGN_RUNNER=runner) == ["E162"]


def test_celery_runner_without_celery(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "celery", None)  # import celery then fails
    assert found(settings, CAMPAIGN_RUNNER="celery") == ["E162"]


def test_inline_runner_warns(settings):
    assert found(settings, CAMPAIGN_RUNNER="inline") == ["W160"]


def test_a_command_without_the_id(settings):
    assert found(settings, CAMPAIGN_COMMAND=["python", "manage.py", "run_campaign"]) == ["W161"]
    assert found(settings, CAMPAIGN_COMMAND="run_campaign {id}") == ["W161"]


@pytest.mark.skipif(DJANGO_TASKS, reason="Django 6.0+ has django.tasks")
def test_django_tasks_runner_before_django_6(settings):
    assert found(settings, CAMPAIGN_RUNNER="django_tasks") == ["E162"]


@pytest.mark.skipif(not DJANGO_TASKS, reason="django.tasks is Django 6.0+")
@pytest.mark.parametrize(("backend", "expected"), [
    ("django.tasks.backends.dummy.DummyBackend", ["E163"]),
    ("django.tasks.backends.immediate.ImmediateBackend", ["W162"]),
    ("django_tasks_db.DatabaseBackend", []),
])
def test_django_tasks_runner_needs_a_backend_with_a_worker(settings, backend, expected):
    settings.TASKS = {"default": {"BACKEND": backend}}
    assert found(settings, CAMPAIGN_RUNNER="django_tasks") == expected
