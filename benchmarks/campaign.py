"""A breach campaign's cost on PostgreSQL: wall time and peak memory of apply for 10,000 and 101,624
members (targets required, sessions ended, mails queued; no argon2 wrap), their ratio, the upload of
the list of their addresses, the mail phase, and the campaign's wrap throughput against raw argon2
(the hashers issue's limit).

    .venv/bin/python benchmarks/campaign.py [--sizes 10000 101624] [--wrap-users 200] [--workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/ssa_campaign_bench]

Each measurement runs in a process of its own on a fresh database (dropped and re-created), so
peak RSS is that run's; each size runs ``--repeat`` times and the median runs are compared.
Targets: time ratio <= 11x for 10.16x members, peak RSS <= 300 MB, wrap >= 0.90x raw argon2.
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_project"
SESSIONS = int(os.environ.get("BENCH_SESSIONS", 5000))  # members with a recorded live session


def fresh_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True,
                             connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        sys.exit(f"cannot (re)create the benchmark database {name!r} ({str(error).strip().splitlines()[0]}): "
                 "start PostgreSQL, or pass --database-url of a server where you may create databases")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shopconsole.settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)])}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=EXAMPLE, env=env, check=True)


def setup_django(url):
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shopconsole.settings", "DJANGO_DEBUG": "0",
                       "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"})
    sys.path[:0] = [str(ROOT), str(EXAMPLE)]
    import django

    django.setup()


def seed(count):
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY auth_user (username, email, password, first_name, last_name, is_superuser, is_staff, "
            "is_active, date_joined) FROM STDIN") as copy:
        for i in range(count):
            copy.write_row((f"m{i:06d}", f"m{i:06d}@members.example",
                            "legacy_md5$" + hashlib.md5(f"pw{i}".encode()).hexdigest(), "", "", False, False, True,
                            "2020-01-01T00:00:00Z"))
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from secure_shopadmin.core.sessions import record_key

    for user in get_user_model().objects.order_by("pk")[:SESSIONS]:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store.create()
        record_key(store.session_key, user, "storefront")
    settle()


def settle():
    """Vacuum and analyze what the setup wrote, so autovacuum does not start inside the timed run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def child_apply(url, count, with_mail):
    setup_django(url)
    seed(count)
    from django.contrib.auth import get_user_model

    from secure_shopadmin.campaigns import runner, services, targets

    campaign = services.create("bench", wrap_hashes=False)
    listing = [f"{address}\n".encode() for address in get_user_model().objects.values_list("email", flat=True)]
    started = time.perf_counter()
    targets.add_upload(campaign, listing, label="leaked.txt")
    uploaded = time.perf_counter() - started
    services.apply(campaign)
    settle()
    started = time.perf_counter()
    report = runner.run(campaign, send=False)
    applied = time.perf_counter() - started
    rss_apply = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mailed, sent = 0.0, 0
    if with_mail:
        started = time.perf_counter()
        sent = runner.run(campaign, mails_per_minute=0).sent
        mailed = time.perf_counter() - started
    print(json.dumps({"members": count, "upload_s": uploaded, "apply_s": applied, "required": report.required,
                      "mail_s": mailed, "sent": sent, "peak_rss_mb_apply": rss_apply,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def child_wrap(url, count, workers):
    setup_django(url)
    seed(count)
    from django.contrib.auth import get_user_model

    from secure_shopadmin.campaigns import runner, services, targets
    from secure_shopadmin.hashers.argon2_worker import argon2_tags
    from secure_shopadmin.hashers.wrapped import default_params

    params = default_params()
    items = [(hashlib.md5(str(i).encode()).hexdigest(), os.urandom(16)) for i in range(count)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(argon2_tags, [items[:1]] * workers, [params.as_tuple()] * workers))
        started = time.perf_counter()
        list(pool.map(argon2_tags, [[item] for item in items], [params.as_tuple()] * count))
        raw = time.perf_counter() - started
    campaign = services.create("bench wrap", wrap_hashes=True, send_mails=False)
    targets.add_selection(campaign, get_user_model().objects.all())
    services.apply(campaign)
    started = time.perf_counter()
    report = runner.run(campaign, workers=workers, send=False)
    run = time.perf_counter() - started
    print(json.dumps({"users": count, "params": str(params), "workers": workers, "raw_s": raw, "campaign_s": run,
                      "wrapped": report.wrapped}))


def run_child(args, *extra):
    fresh_database(args.database_url)
    done = subprocess.run([sys.executable, __file__, "--database-url", args.database_url, *extra],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_run(args, size, mail_flag):
    """The run of median apply time among ``--repeat`` runs of ``size`` members (a short run is noisy)."""
    runs = sorted((run_child(args, "--child-apply", str(size), *mail_flag) for _ in range(args.repeat)),
                  key=lambda row: row["apply_s"])
    print(f"{size:>7} members: apply " + ", ".join(f"{row['apply_s']:.1f}" for row in runs) + " s", flush=True)
    return runs[len(runs) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 101_624])
    parser.add_argument("--wrap-users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ssa_campaign_bench")
    parser.add_argument("--with-mail", action="store_true", help="also time the mail phase (dummy backend)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median run is reported")
    parser.add_argument("--child-apply", type=int)
    parser.add_argument("--child-wrap", type=int)
    args = parser.parse_args()
    if args.child_apply:
        return child_apply(args.database_url, args.child_apply, args.with_mail)
    if args.child_wrap:
        return child_wrap(args.database_url, args.child_wrap, args.workers)
    mail_flag = ["--with-mail"] if args.with_mail else []
    small, large = (median_run(args, size, mail_flag) for size in args.sizes)
    for row in (small, large):
        print(f"{row['members']:>7} members: apply {row['apply_s']:.1f} s, peak RSS (upload and apply) "
              f"{row['peak_rss_mb_apply']:.0f} MB;"
              f" mails {row['mail_s']:.1f} s ({row['sent']} sent), peak RSS {row['peak_rss_mb']:.0f} MB")
    print(f"upload of every member's address: {small['upload_s']:.1f} s -> {large['upload_s']:.1f} s "
          f"(x{large['upload_s'] / small['upload_s']:.2f})")
    ratio = large["apply_s"] / small["apply_s"]
    print(f"members x{large['members'] / small['members']:.2f} -> apply time x{ratio:.2f} (target <= 11), "
          f"peak RSS x{large['peak_rss_mb_apply'] / small['peak_rss_mb_apply']:.2f} (target <= 300 MB)")
    wrap = run_child(args, "--child-wrap", str(args.wrap_users), "--workers", str(args.workers))
    rate = wrap["raw_s"] / wrap["campaign_s"]
    print(f"wrap {wrap['users']} users at {wrap['params']}, {wrap['workers']} workers: "
          f"raw argon2 {wrap['raw_s']:.1f} s,"
          f" campaign run (wrap + require) {wrap['campaign_s']:.1f} s -> {rate:.2f}x the raw limit (target >= 0.90)")


if __name__ == "__main__":
    main()
