"""The guard's counters on Redis: an attempt's slot with the one-round-trip script against the several-call path.

    .venv/bin/python benchmarks/lockout_store.py [--redis redis://127.0.0.1:6379/0] [--rounds 30] [--batch 50]
        [--backend django|django-redis]

For each kind of attempt (a right password: reservation and release; a wrong one: reservation only;
a right code: reservation and release) the median time per attempt with ``LOCKOUT_CACHE_SCRIPT`` off
(the several-call path) and on (the script), in interleaved batches of the same run, their ratio,
and the requests each sends to Redis (a pipeline or a script call counts one). Every attempt is a
fresh (account, address), so none meets a lock or a limit: the common case. Keys are written under
a prefix of this run's own and deleted at the end. Nothing is compared with a stored number.
"""

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import median, setup_django  # noqa: E402

SENT = {"count": 0}
BACKENDS = {"django": "django.core.cache.backends.redis.RedisCache", "django-redis": "django_redis.cache.RedisCache"}


def count_requests():
    from redis.connection import AbstractConnection

    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        SENT["count"] += 1
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counting


def use_redis(url, prefix, script, backend="django"):
    from django.conf import settings
    from django.test import override_settings

    caches = {**settings.CACHES, "lockout": {"BACKEND": BACKENDS[backend], "LOCATION": url, "KEY_PREFIX": prefix}}
    shop = {**getattr(settings, "SECURE_SHOPADMIN", {}), "LOCKOUT_CACHE": "lockout", "LOCKOUT_CACHE_SCRIPT": script}
    override_settings(CACHES=caches, SECURE_SHOPADMIN=shop).enable()


def attempts():
    from secure_shopadmin.lockout import store_cache

    def right_password(subject):
        store_cache.release(store_cache.reserve_password(subject))

    def wrong_password(subject):
        assert not store_cache.reserve_password(subject).refused

    def right_code(subject):
        store_cache.release(store_cache.reserve_otp(subject))

    return {"right password (reserve + release)": right_password,
            "wrong password (reserve)": wrong_password, "right code (reserve + release)": right_code}


def subjects(serial):
    from secure_shopadmin.lockout.reservations import Subject

    while True:
        serial[0] += 1
        n = serial[0]
        yield Subject(f"member{n}@shop.example", f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")


def measure(url, prefix, rounds, batch, backend):
    fresh = subjects([0])
    times = {(kind, mode): [] for kind in attempts() for mode in (False, True)}
    trips = {}
    for mode in (False, True):  # connect and load the script before anything is timed
        use_redis(url, prefix, mode, backend)
        for kind, attempt in attempts().items():
            attempt(next(fresh))
            before = SENT["count"]
            attempt(next(fresh))
            trips[kind, mode] = SENT["count"] - before
    for _ in range(rounds):
        for mode in (False, True):
            use_redis(url, prefix, mode, backend)
            for kind, attempt in attempts().items():
                chosen = [next(fresh) for _ in range(batch)]
                start = time.perf_counter()
                for subject in chosen:
                    attempt(subject)
                times[kind, mode].append((time.perf_counter() - start) / batch)
    return {key: median(values) for key, values in times.items()}, trips


def forget(url, prefix):
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="django")
    options = parser.parse_args()
    setup_django()
    count_requests()
    prefix = f"ssa-bench-{uuid.uuid4().hex[:12]}"
    try:
        medians, trips = measure(options.redis, prefix, options.rounds, options.batch, options.backend)
    finally:
        forget(options.redis, prefix)
    print(f"Redis {options.redis} ({options.backend}): {options.rounds} rounds x {options.batch} attempts "
          "per kind and path")
    print(f"{'attempt':38} {'several calls':>16} {'script':>16} {'ratio':>7}")
    for kind in attempts():
        generic, script = medians[kind, False], medians[kind, True]
        print(f"{kind:38} {generic * 1e6:7.0f} us {trips[kind, False]:2d} rt "
              f"{script * 1e6:7.0f} us {trips[kind, True]:2d} rt {generic / script:6.2f}x")


if __name__ == "__main__":
    main()
