"""The wrap's defaults: OWASP's minimum parameters, one worker per CPU within half the available memory."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from secure_shopadmin.hashers import wrapping
from secure_shopadmin.hashers.legacy_make import make_legacy_password
from secure_shopadmin.hashers.wrapped import Argon2Params

OWASP = Argon2Params(2, 19456, 1)


@pytest.mark.parametrize(("cpus", "memory_kib", "workers"), [
    (2, 24 * 1024 * 1024, 2),  # this kind of machine: CPUs decide
    (64, 1024 * 1024, 26),  # 1 GiB available: half of it holds 26 wraps of 19 MiB
    (8, 10_000, 1),  # never fewer than one
    (4, None, 4),  # no /proc/meminfo: CPUs decide
])
def test_default_workers(monkeypatch, cpus, memory_kib, workers):
    monkeypatch.setattr(wrapping, "available_cpus", lambda: cpus)
    monkeypatch.setattr(wrapping, "available_memory_kib", lambda: memory_kib)
    assert wrapping.default_workers(OWASP) == workers


def test_available_resources_are_read_from_this_machine():
    assert wrapping.available_cpus() >= 1
    memory = wrapping.available_memory_kib()
    assert memory is None or memory > 0


@pytest.mark.django_db
def test_the_command_wraps_at_owasps_minimum_with_a_worker_per_cpu(monkeypatch):
    monkeypatch.setattr(wrapping, "available_cpus", lambda: 2)
    user = get_user_model().objects.create(username="m", password=make_legacy_password("md5", "old pw"))
    out = io.StringIO()
    call_command("wrap_legacy_hashes", "--noinput", "--no-progress", stdout=out, stderr=io.StringIO())
    assert "argon2id time cost 2, memory 19456 KiB, 1 lanes; 2 worker(s), at most 38.0 MiB" in out.getvalue()
    user.refresh_from_db()
    assert user.password.startswith("argon2w$md5$2.19456.1$")
    assert user.check_password("old pw")
    assert user.password.startswith("argon2$argon2id$")  # upgraded to the preferred hasher at once
