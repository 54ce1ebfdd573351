"""The guard's cache (``LOCKOUT_CACHE``) cannot be reached: logins are counted in database rows instead,
never answered with a 500 nor left uncounted, and the cache is tried again after ``LOCKOUT_CACHE_RETRY``."""

import logging

import pytest

from secure_shopadmin.lockout import services, stores
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.lockout.reservations import Subject

from ..conftest import STAFF_PASSWORD
from .conftest import attempt, forget_redis_keys, use_redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
ATTACKER, VICTIM = "198.51.100.66", "192.0.2.10"
NOBODY_LISTENS = "redis://127.0.0.1:1/0"


def cache_gone(settings):
    settings.CACHES = {**settings.CACHES, "lockout": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": NOBODY_LISTENS}}
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_CACHE": "lockout"}


@pytest.fixture
def redis_back(settings):
    """Point the guard's cache at the running Redis again (under a prefix of the test's own)."""
    prefixes = []
    yield lambda: prefixes.append(use_redis(settings))
    for prefix in prefixes:
        forget_redis_keys(prefix)


def test_logins_are_counted_in_rows_and_limited_while_the_cache_is_gone(staff_user, frozen, settings, caplog):
    cache_gone(settings)
    with caplog.at_level(logging.ERROR, logger="secure_shopadmin.lockout"):
        codes = [attempt("clerk", "wrong", ip_address=ATTACKER).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the pair's limit holds
    assert Counter.objects.get(rule="pair", username="clerk", ip=ATTACKER).failures == 5
    outages = [r.getMessage() for r in caplog.records if r.getMessage().startswith(
        "lockout: the cache 'lockout' cannot be reached (")]
    assert len(outages) == 1 and outages[0].endswith("); counting in database rows for 30 s"), outages
    assert attempt("clerk", STAFF_PASSWORD, ip_address=VICTIM).status_code == 302
    assert Counter.objects.get(rule="account", username="clerk").failures == 0  # the login cleared it


def test_the_cache_is_tried_again_after_the_retry(staff_user, frozen, settings, redis_back):
    cache_gone(settings)
    attempt("clerk", "wrong", ip_address=ATTACKER)
    redis_back()
    frozen.advance(seconds=29)
    attempt("clerk", "wrong", ip_address=ATTACKER)
    assert Counter.objects.get(rule="pair", username="clerk", ip=ATTACKER).failures == 2
    assert services.store().failures("clerk", ATTACKER) == {"pair": 2, "ip": 2, "account": 2}
    frozen.advance(seconds=1)
    attempt("clerk", "wrong", ip_address=ATTACKER)
    assert Counter.objects.get(rule="pair", username="clerk", ip=ATTACKER).failures == 2
    assert services.store().failures("clerk", ATTACKER) == {"pair": 1, "ip": 1, "account": 1}


def test_a_slot_counted_in_the_cache_stays_there_when_the_cache_goes(staff_user, frozen, settings, redis_back):
    redis_back()
    reservation = services.store().reserve_password(Subject("clerk", ATTACKER))
    assert services.store().failures("clerk", ATTACKER) == {"pair": 1, "ip": 1, "account": 1}
    assert not Counter.objects.exists()
    cache_gone(settings)
    services.release(reservation)  # no error; nothing given back to the rows
    assert stores.cache_unreachable() and not Counter.objects.exists()
    assert attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER).status_code == 302


def test_a_slot_counted_in_rows_is_given_back_to_rows_when_the_cache_returns(staff_user, frozen, settings,
                                                                              redis_back):
    cache_gone(settings)
    reservation = services.store().reserve_password(Subject("clerk", ATTACKER))
    assert Counter.objects.get(rule="pair", username="clerk").failures == 1
    redis_back()
    frozen.advance(seconds=30)
    services.release(reservation)
    assert Counter.objects.get(rule="pair", username="clerk").failures == 0


@pytest.mark.parametrize("backend, options, expected", [
    ("django.core.cache.backends.redis.RedisCache", {}, ["secure_shopadmin.W037"]),
    ("django.core.cache.backends.redis.RedisCache", {"socket_timeout": 1, "socket_connect_timeout": 1}, []),
    ("django_redis.cache.RedisCache", {"SOCKET_TIMEOUT": 1}, []),
    ("django.core.cache.backends.memcached.PyMemcacheCache", {}, []),
])
def test_a_redis_cache_without_a_socket_timeout_is_a_check_finding(settings, backend, options, expected):
    from secure_shopadmin.lockout.checks import check_lockout

    settings.CACHES = {**settings.CACHES, "lockout": {"BACKEND": backend, "LOCATION": NOBODY_LISTENS,
                                                       "OPTIONS": options}}
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_CACHE": "lockout"}
    assert [problem.id for problem in check_lockout()] == expected


@pytest.mark.parametrize("retry", [0, -5, "30", True])
def test_the_retry_must_be_positive_seconds(settings, retry):
    from secure_shopadmin.lockout.checks import check_lockout

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_CACHE_RETRY": retry}
    assert [problem.id for problem in check_lockout()] == ["secure_shopadmin.E038"]
