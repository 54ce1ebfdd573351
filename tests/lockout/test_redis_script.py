"""The Redis store's one-round-trip script (``lockout/store_redis.py``): how many requests an attempt
sends to Redis, and that the script and the several-call path count as one store, alone or mixed."""

import random

import pytest
from django.core.cache import caches
from redis.connection import AbstractConnection

from secure_shopadmin.lockout import store_cache
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.lockout.reservations import Subject

from .conftest import forget_redis_keys, guard, use_redis

pytestmark = pytest.mark.django_db

ADDRESSES = ("203.0.113.7", "198.51.100.9")
USERS = ("clerk", "owner", "member")


@pytest.fixture(params=["cache", "django-redis"])
def redis_store(settings, request):
    """Fresh keys on Redis, through Django's backend or django-redis; calling it starts fresh keys again."""
    prefixes = []

    def fresh():
        prefixes.append(use_redis(settings, request.param))

    fresh()
    yield fresh
    for prefix in prefixes:
        forget_redis_keys(prefix)


@pytest.fixture
def round_trips(monkeypatch):
    """Requests sent to Redis (a pipeline is one): every send of a packed command on any connection."""
    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def script(settings, on):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_CACHE_SCRIPT": on}


def trips(sent, action):
    before = len(sent)
    result = action()
    return result, len(sent) - before


def warm_up():
    """Connect and load the scripts (the first EVALSHA of a process may answer NOSCRIPT)."""
    store_cache.release(store_cache.reserve_password(Subject("warm-up", "192.0.2.1")))
    store_cache.release(store_cache.reserve_otp(Subject("warm-up", "192.0.2.1")))
    caches["lockout"].get("warm-up")


def test_a_common_password_attempt_and_its_release_take_one_round_trip_each(redis_store, round_trips):
    warm_up()
    subject = Subject("clerk", ADDRESSES[0])
    for _ in range(2):  # the first and a later failure alike
        reservation, sent = trips(round_trips, lambda: store_cache.reserve_password(subject))
        assert not reservation.refused and sent == 1, sent
    assert reservation.prior_failures == 1
    _, sent = trips(round_trips, lambda: store_cache.release(reservation))
    assert sent == 1
    reservation = store_cache.reserve_password(subject)
    _, sent = trips(round_trips, lambda: store_cache.clear("clerk", ADDRESSES[0], reservation))
    assert sent == 1  # the login's release and the clearing of its counters
    assert store_cache.failures("clerk", ADDRESSES[0]) == {"ip": 1}  # the first failure
    ip_counter = ("ip", "", ADDRESSES[0])
    start = caches["lockout"].get(store_cache._key(ip_counter, "start"))
    assert caches["lockout"].get(store_cache._key(ip_counter, f"n:{start}")) == 1  # only the failure stays


def test_a_common_code_attempt_and_its_release_take_one_round_trip_each(redis_store, round_trips):
    warm_up()
    subject = Subject("clerk", ADDRESSES[0])
    reservation, sent = trips(round_trips, lambda: store_cache.reserve_otp(subject))
    assert not reservation.refused and sent == 1, sent
    _, sent = trips(round_trips, lambda: store_cache.release(reservation))
    assert sent == 1


def test_the_attempt_that_locks_and_a_locked_one_take_the_several_call_path(redis_store, round_trips, settings):
    guard(settings, PAIR_LIMIT=3)
    warm_up()
    subject = Subject("clerk", ADDRESSES[0])
    sent = [trips(round_trips, lambda: store_cache.reserve_password(subject))[1] for _ in range(2)]
    locking, sent_locking = trips(round_trips, lambda: store_cache.reserve_password(subject))
    refused, sent_refused = trips(round_trips, lambda: store_cache.reserve_password(subject))
    assert sent == [1, 1]
    assert locking.new_locks == ["pair"] and sent_locking > 1
    assert refused.refused and sent_refused > 1


def test_without_the_script_an_attempt_takes_several_round_trips(redis_store, round_trips, settings):
    script(settings, False)
    warm_up()
    _, sent = trips(round_trips, lambda: store_cache.reserve_password(Subject("clerk", ADDRESSES[0])))
    assert sent > 5


def test_a_lock_stored_in_seconds_by_an_earlier_version_still_refuses(redis_store, frozen, settings):
    subject = Subject("clerk", ADDRESSES[0])
    key = store_cache._key(("pair", "clerk", ADDRESSES[0]), "lock")
    caches["lockout"].set(key, frozen().timestamp() + 120.5, 300)  # pickled: the script cannot read it
    assert store_cache.reserve_password(subject).retry_after == 121
    caches["lockout"].set(key, frozen().timestamp() - 1.0, 300)
    assert not store_cache.reserve_password(subject).refused


def outcome(reservation):
    return (reservation.retry_after, reservation.refused_by, tuple(reservation.new_locks),
            reservation.lock_retry_after, reservation.prior_failures, reservation.via_pass)


def replay(steps, frozen, settings, mode):
    """Run ``steps`` on fresh keys with the script on, off, or alternating; the outcome of each."""
    frozen.moment = frozen.start
    Counter.objects.all().delete()
    outcomes = []
    for i, (kind, username, address, right, wait) in enumerate(steps):
        script(settings, mode == "script" or (mode == "mixed" and i % 2 == 0))
        frozen.advance(seconds=wait)
        subject = Subject(username, address)
        reserve = store_cache.reserve_password if kind == "password" else store_cache.reserve_otp
        reservation = reserve(subject)
        if right and not reservation.refused:
            store_cache.release(reservation)
        outcomes.append(outcome(reservation))
    return outcomes


@pytest.mark.parametrize("seed", range(3))
def test_the_script_and_the_several_call_path_count_alike(redis_store, frozen, settings, round_trips, seed):
    guard(settings, PAIR_LIMIT=3, PAIR_COOLOFFS=(60, 120), IP_LIMIT=6, IP_WINDOW=300, IP_COOLOFF=90,
          ACCOUNT_DELAY_AFTER=5, ACCOUNT_DELAY_BASE=20, ACCOUNT_LOCK_AFTER=9, OTP_LIMIT=3, OTP_WINDOW=120,
          OTP_ACCOUNT_DELAY_AFTER=4, OTP_ACCOUNT_DELAY_BASE=30, OTP_ACCOUNT_LOCK_AFTER=7)
    frozen.start = frozen.moment
    chance = random.Random(seed)
    steps = [(chance.choice(("password", "password", "otp")), chance.choice(USERS), chance.choice(ADDRESSES),
              chance.random() < 0.2, chance.choice((0, 0, 5, 40, 200))) for _ in range(120)]
    sent = {}
    results = {}
    for mode in ("generic", "script", "mixed"):
        redis_store()
        results[mode], sent[mode] = trips(round_trips, lambda mode=mode: replay(steps, frozen, settings, mode))
    assert results["script"] == results["generic"]
    assert results["mixed"] == results["generic"]
    assert sum(1 for r in results["generic"] if r[0]) > 10, "the steps reach the limits"
    assert sent["script"] < sent["mixed"] < sent["generic"], sent


def test_a_server_that_lost_the_script_gets_it_again(redis_store, round_trips, monkeypatch):
    from redis import Redis
    from redis.exceptions import NoScriptError

    warm_up()
    original, refused = Redis.evalsha, []

    def forgetful(self, sha, numkeys, *keys_and_args):
        if not refused:
            refused.append(sha)
            raise NoScriptError("NOSCRIPT No matching script.")
        return original(self, sha, numkeys, *keys_and_args)

    monkeypatch.setattr(Redis, "evalsha", forgetful)
    reservation, sent = trips(round_trips, lambda: store_cache.reserve_password(Subject("clerk", ADDRESSES[0])))
    assert refused and not reservation.refused
    assert reservation.undo["decr"] and sent == 2  # SCRIPT LOAD, then the script again
