"""wrap_legacy_hashes' users per second on PostgreSQL versus raw argon2-cffi hashes per second.

Both at the same argon2id parameters (the example project's, i.e. Django's production defaults)
and the same number of worker processes, in one run. Target: command / raw >= 0.90.

    .venv/bin/python benchmarks/wrap_throughput.py [--users 200] [--workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/ssa_hashers_bench]

The database named in the URL is dropped and re-created.
"""

import argparse
import hashlib
import multiprocessing
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_project"
SETTINGS = "shopconsole.settings"
TARGET = 0.90


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": SETTINGS,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)])}
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=EXAMPLE, env=env, text=True,
                          capture_output=True, check=False)
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


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
    manage(url, "migrate", "--noinput", "-v0")


def add_md5_members(url, count):
    import psycopg

    rows = [(f"member{i:06d}", "legacy_md5$" + hashlib.md5(f"password {i}".encode()).hexdigest())
            for i in range(count)]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.cursor().executemany(
            "INSERT INTO auth_user (username, password, email, first_name, last_name, is_superuser, is_staff, "
            "is_active, date_joined) VALUES (%s, %s, '', '', '', FALSE, FALSE, TRUE, now())", rows)


def production_params():
    sys.path[:0] = [str(ROOT), str(EXAMPLE)]
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    from secure_shopadmin.hashers.wrapped import default_params

    return default_params()


def raw_rate(params, count, workers):
    """argon2-cffi hashes per second, ``workers`` processes, one hash per user, the wrap's output length."""
    from secure_shopadmin.hashers.argon2_worker import argon2_tags

    items = [(hashlib.md5(str(i).encode()).hexdigest(), os.urandom(16)) for i in range(count)]
    per_worker = [items[start::workers] for start in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(argon2_tags, [items[:1]] * workers, [params.as_tuple()] * workers))  # start the workers
        started = time.perf_counter()
        list(pool.map(argon2_tags, per_worker, [params.as_tuple()] * workers))
        return count / (time.perf_counter() - started)


def command_rate(url, workers):
    out = manage(url, "wrap_legacy_hashes", "--noinput", "--no-progress", "--workers", str(workers))
    match = re.search(r"Wrapped (\d+) users in ([\d.]+) s \(([\d.]+) users/s\)", out)
    if not match:
        sys.exit(f"unexpected output:\n{out}")
    return int(match[1]), float(match[3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ssa_hashers_bench"))
    args = parser.parse_args()

    params = production_params()
    fresh_database(args.database_url)
    add_md5_members(args.database_url, args.users)
    print(f"argon2id {params} (time.memory KiB.lanes), {args.workers} workers, {args.users} users, PostgreSQL")
    before = raw_rate(params, args.users, args.workers)
    wrapped, rate = command_rate(args.database_url, args.workers)
    after = raw_rate(params, args.users, args.workers)  # measured on both sides: load may change meanwhile
    raw = (before + after) / 2
    print(f"  raw argon2-cffi        {raw:8.2f} hashes/s (before {before:.2f}, after {after:.2f})")
    print(f"  wrap_legacy_hashes     {rate:8.2f} users/s ({wrapped} users)")
    ratio = rate / raw
    verdict = "ok" if ratio >= TARGET else "UNDER TARGET"
    print(f"command / raw: {ratio:.2f} (target >= {TARGET}) {verdict}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
