"""Requiring a password reset of many members at once: time, SQL queries and peak memory.

Each size runs in its own process on the same database (PostgreSQL by default), seeded with that
many members who each have a logged-in, recorded session. The measured call is
``services.require_reset(all members, mode="compromised", notify=True)``: requirements with the
encrypted hash snapshot, unusable passwords, every session ended, tokens and remembered browsers
deleted, audit events written, mails queued. Prints each size and the ratios against the
smallest size measured in the same run (targets: queries per batch constant, time ratio <= 11x
for 10.16x the users, peak memory <= 300 MB).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssa_resets \\
        .venv/bin/python benchmarks/force_reset_bulk.py [--sizes 10000 101624]

The database is created if it does not exist (the server must run and let the user create it).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ssa_resets"


def seed(count):
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from secure_shopadmin.core import crypto
    from secure_shopadmin.core.models import UserSession
    from secure_shopadmin.core.sessions import key_digest

    user_model = get_user_model()
    password = "argon2$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43
    box = crypto.fernet()
    expires = timezone.now() + timezone.timedelta(days=14)
    for start in range(0, count, 5000):
        users = user_model.objects.bulk_create([
            user_model(username=f"member{i:06d}", email=f"member{i:06d}@members.example", password=password)
            for i in range(start, min(count, start + 5000))
        ])
        keys = [secrets.token_hex(16) for _ in users]
        data = SessionStore().encode({"_auth_user_id": "0"})
        Session.objects.bulk_create([Session(session_key=k, session_data=data, expire_date=expires) for k in keys])
        UserSession.objects.bulk_create([
            UserSession(user_id=u.pk, key_digest=key_digest(k), key_encrypted=box.encrypt(k.encode()).decode(),
                        channel="storefront")
            for u, k in zip(users, keys, strict=True)
        ])


class RssSampler:
    """Peak resident memory of this process while the block runs (sampled every 5 ms from /proc)."""

    def __init__(self):
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.start = self.peak = self.rss()
        self.running = False

    def rss(self):
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.005)

    def __enter__(self):
        self.start = self.peak = self.rss()
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self.rss())


def measure(size):
    sys.path.insert(0, os.path.dirname(__file__))
    os.environ["DJANGO_DEBUG"] = "0"  # no query log: it would hold every batch's SQL
    from _setup import setup_django

    setup_django(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection

    from secure_shopadmin.conf import app_settings
    from secure_shopadmin.core.models import UserSession
    from secure_shopadmin.resets import services
    from secure_shopadmin.resets.models import OutgoingMail, ResetRequirement

    call_command("flush", interactive=False, verbosity=0)
    seed(size)
    if connection.vendor == "postgresql":
        # the seed's writes must not be paid for by the measured run: vacuum, analyse (as autovacuum
        # would have, on tables that did not just appear) and checkpoint first
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
    members = get_user_model().objects.filter(username__startswith="member")
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    sampler = RssSampler()
    with sampler, connection.execute_wrapper(count):
        started = time.perf_counter()
        result = services.require_reset(members, mode="compromised", reason="benchmark", notify=True)
        elapsed = time.perf_counter() - started
    batches = -(-size // app_settings.RESET_BATCH_SIZE)
    assert len(result.required) == size, len(result.required)
    assert ResetRequirement.objects.pending().count() == size
    assert OutgoingMail.objects.count() == size
    assert UserSession.objects.count() == 0 and Session.objects.count() == 0
    return {
        "size": size, "seconds": elapsed, "queries": queries[0], "batches": batches,
        "queries_per_batch": queries[0] / batches, "peak_mb": sampler.peak / 2**20,
        "start_mb": sampler.start / 2**20,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 101_624])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    sys.path.insert(0, os.path.dirname(__file__))
    from _setup import ensure_database

    ensure_database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))  # created here if missing, or one line
    rows = []
    for size in args.sizes:
        child = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True, text=True)
        if child.returncode:
            sys.exit(f"the {size}-member run failed: {(child.stderr.strip().splitlines() or ['?'])[-1]}")
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(f"{'members':>8} {'seconds':>8} {'queries':>8} {'batches':>8} {'q/batch':>8} "
          f"{'RSS before MB':>13} {'peak RSS MB':>11} {'maxrss MB':>10}")
    for row in rows:
        print(f"{row['size']:>8} {row['seconds']:>8.2f} {row['queries']:>8} {row['batches']:>8} "
              f"{row['queries_per_batch']:>8.1f} {row['start_mb']:>13.1f} {row['peak_mb']:>11.1f} "
              f"{row['maxrss_mb']:>10.1f}")
    base = rows[0]
    for row in rows[1:]:
        print(f"ratio {row['size']}/{base['size']} members: {row['size'] / base['size']:.2f}x users, "
              f"{row['seconds'] / base['seconds']:.2f}x time, {row['queries'] / base['queries']:.2f}x queries, "
              f"{row['peak_mb'] / base['peak_mb']:.2f}x peak RSS")


if __name__ == "__main__":
    main()
