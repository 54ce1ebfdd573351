"""8 processes fire wrong passwords at one account at once: no more than the limit reach the hasher.

PostgreSQL only (SQLite serialises whole-database writes and would say nothing about row locks);
run with ``DATABASE_URL=postgres://…``. Also run against the shared-cache counters (Redis): with the
one-round-trip script, without it, and with half the processes on each path.
"""

import multiprocessing

import pytest
from django.db import connection, connections

from .conftest import forget_redis_keys, use_redis

PROCESSES, ATTEMPTS_EACH = 8, 6


def fire(barrier, hashed, script):
    """One process: wait for the others, then try ATTEMPTS_EACH wrong passwords as fast as it can."""
    from django.conf import settings
    from django.contrib.auth import hashers
    from django.test import Client, override_settings

    override_settings(SECURE_SHOPADMIN={**settings.SECURE_SHOPADMIN, "LOCKOUT_CACHE_SCRIPT": script}).enable()

    hasher_class = type(hashers.get_hasher("default"))
    original = hasher_class.verify

    def counting_verify(self, password, encoded):
        with hashed.get_lock():
            hashed.value += 1
        return original(self, password, encoded)

    hasher_class.verify = counting_verify
    barrier.wait()
    client = Client()
    for _ in range(ATTEMPTS_EACH):
        client.post("/admin/login/", {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="198.51.100.66")
    connections.close_all()


@pytest.mark.forks
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counters", ["db", "cache", "cache-no-script", "cache-mixed"])
def test_parallel_wrong_passwords_never_exceed_the_limit(staff_user, no_two_factor, settings, counters):
    prefix = use_redis(settings) if counters.startswith("cache") else None
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, hashed = context.Barrier(PROCESSES), context.Value("i", 0)
    scripts = [counters == "cache" or (counters == "cache-mixed" and i % 2 == 0) for i in range(PROCESSES)]
    workers = [context.Process(target=fire, args=(barrier, hashed, script)) for script in scripts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert all(worker.exitcode == 0 for worker in workers)
    if prefix:
        forget_redis_keys(prefix)
    assert 1 <= hashed.value <= 5, hashed.value
