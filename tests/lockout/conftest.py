import os
import uuid
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin import net
from secure_shopadmin.lockout import clock, store_sql

REDIS_URL = os.environ.get("LOCKOUT_TEST_REDIS", "redis://127.0.0.1:6379/5")
BACKENDS = {"cache": "django.core.cache.backends.redis.RedisCache", "django-redis": "django_redis.cache.RedisCache"}


class FrozenClock:
    """The guard's time, moved by hand: ``frozen.advance(minutes=15)``."""

    def __init__(self):
        self.moment = timezone.now().replace(microsecond=0)

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch):
    frozen_clock = FrozenClock()
    monkeypatch.setattr(clock, "now", frozen_clock)
    return frozen_clock


@pytest.fixture(params=["db", "row-locks", "cache", "django-redis"])
def store(request, settings, monkeypatch):
    """Run a test on database rows (one statement per reservation, and the ``SELECT … FOR UPDATE`` path that
    MariaDB takes) and on the shared-cache (Redis) counters, with Django's backend and django-redis."""
    if request.param in BACKENDS:
        prefix = use_redis(settings, request.param)
        yield "cache"
        forget_redis_keys(prefix)
    else:
        if request.param == "row-locks":
            monkeypatch.setattr(store_sql, "supported", lambda connection: False)
        yield "db"


def use_redis(settings, backend="cache"):
    """Count in Redis under a prefix of this test's own (others may share the Redis database); ``backend``:
    "cache" (Django's) or "django-redis"."""
    prefix = f"ssa-lockout-test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "lockout": {
        "BACKEND": BACKENDS[backend], "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_CACHE": "lockout"}
    return prefix


def forget_redis_keys(prefix):
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def guard(settings, **keys):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, **{f"LOCKOUT_{k}": v for k, v in keys.items()}}


@pytest.fixture(autouse=True)
def fresh_warning_state():
    net._warned.clear()
    yield
    net._warned.clear()


def attempt(username, password, *, client=None, ip_address="203.0.113.7", url=None, **extra):
    client = client or Client()
    return client.post(url or reverse("admin:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip_address, **extra)


@pytest.fixture
def hasher_calls(monkeypatch):
    """Every password hash the process computes (verify, or the dummy encode for unknown users)."""
    from django.contrib.auth import hashers

    calls = []
    hasher = hashers.get_hasher("default")
    cls = type(hasher)
    original_verify, original_encode = cls.verify, cls.encode

    def verify(self, password, encoded):
        calls.append("verify")
        return original_verify(self, password, encoded)

    def encode(self, password, salt, *args, **kwargs):
        calls.append("encode")
        return original_encode(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(cls, "verify", verify)
    monkeypatch.setattr(cls, "encode", encode)
    return calls
