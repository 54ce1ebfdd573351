"""wrap_legacy_hashes' users per second on PostgreSQL versus raw argon2-cffi hashes per second, and the
projected time for a breach-size wrap.

Both at the same argon2id parameters (the wrap's own: WRAP_ARGON2_PARAMS, OWASP's minimum by
default) and the same number of worker processes (the command's default: one per CPU), in one run.
Targets: command / raw >= 0.90; 101,624 members (the seed's breach) wrapped in <= 30 minutes.

    .venv/bin/python benchmarks/wrap_throughput.py [--users 6000] [--rounds 3] [--workers N]
        [--database-url postgres://postgres@127.0.0.1:5432/ssa_hashers_bench]

The database named in the URL is dropped and re-created.
"""

import argparse
import hashlib
import multiprocessing
import os
import re
import resource
import statistics
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
BREACH_MEMBERS = 101_624
BREACH_TARGET_MINUTES = 30


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


def add_md5_members(url, count, first=0):
    import psycopg

    rows = [(f"member{i:06d}", "legacy_md5$" + hashlib.md5(f"password {i}".encode()).hexdigest())
            for i in range(first, first + count)]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.cursor().executemany(
            "INSERT INTO auth_user (username, password, email, first_name, last_name, is_superuser, is_staff, "
            "is_active, date_joined) VALUES (%s, %s, '', '', '', FALSE, FALSE, TRUE, now())", rows)


def production_params():
    """The wrap's parameters and default worker count, as the example project's settings give them."""
    sys.path[:0] = [str(ROOT), str(EXAMPLE)]
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    from secure_shopadmin.hashers.wrapped import default_params
    from secure_shopadmin.hashers.wrapping import default_workers

    params = default_params()
    return params, default_workers(params)


def children_cpu():
    """CPU seconds of this process's finished children (and theirs: the command's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
    out = manage(url, "wrap_legacy_hashes", "--noinput", "--no-progress", *(["--workers", str(workers)] if workers
                                                                          else []))
    match = re.search(r"Wrapped (\d+) users in ([\d.]+) s \(([\d.]+) users/s\)", out)
    if not match:
        sys.exit(f"unexpected output:\n{out}")
    return int(match[1]), float(match[3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=6000, help="members wrapped in all, over the rounds")
    parser.add_argument("--rounds", type=int, default=3, help="raw / command / raw measurements, interleaved")
    parser.add_argument("--workers", type=int, default=None, help="default: the command's own default")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ssa_hashers_bench"))
    args = parser.parse_args()

    params, default_workers = production_params()
    workers = args.workers or default_workers
    per_round = args.users // args.rounds
    fresh_database(args.database_url)
    print(f"argon2id {params} (time.memory KiB.lanes), {workers} workers, {args.rounds} rounds of {per_round} "
          f"users, PostgreSQL")
    cpu = children_cpu()
    manage(args.database_url, "wrap_legacy_hashes", "--noinput", "--no-progress")  # nothing to wrap yet
    startup_cpu = children_cpu() - cpu  # Django's start, the survey: paid once a run, whatever its size
    ratios, rates, raw_cpu, command_cpu = [], [], [], []
    for number in range(args.rounds):  # each round wraps members of its own; load changes hit both sides
        add_md5_members(args.database_url, per_round, first=number * per_round)
        cpu = children_cpu()
        before = raw_rate(params, per_round, workers)
        cpu, raw_cpu_seconds = children_cpu(), children_cpu() - cpu
        wrapped, rate = command_rate(args.database_url, args.workers)
        cpu, command_cpu_seconds = children_cpu(), children_cpu() - cpu
        after = raw_rate(params, per_round, workers)
        raw = (before + after) / 2
        ratios.append(rate / raw)
        rates.append(rate)
        raw_cpu.append(raw_cpu_seconds / per_round)
        command_cpu.append(max(command_cpu_seconds - startup_cpu, 0.0) / wrapped)
        print(f"  round {number + 1}: raw argon2-cffi {raw:7.2f} hashes/s (before {before:.2f}, after {after:.2f}); "
              f"wrap_legacy_hashes {rate:7.2f} users/s ({wrapped} users); ratio {rate / raw:.2f}; CPU ms per "
              f"hash {1000 * raw_cpu[-1]:.1f} raw, {1000 * command_cpu[-1]:.1f} command")
    report(ratios, rates, statistics.median(raw_cpu), statistics.median(command_cpu))


def report(ratios, rates, raw_cpu, command_cpu):
    ratio, rate = statistics.median(ratios), statistics.median(rates)
    verdict = "ok" if ratio >= TARGET else "UNDER TARGET"
    print(f"command / raw (median): {ratio:.2f} (target >= {TARGET}) {verdict}")
    minutes = BREACH_MEMBERS / rate / 60
    verdict = "ok" if minutes <= BREACH_TARGET_MINUTES else "OVER TARGET"
    print(f"projected wrap of {BREACH_MEMBERS:,} members at the median {rate:.1f} users/s: {minutes:.1f} min "
          f"(target <= {BREACH_TARGET_MINUTES} min) {verdict}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    # CPU time does not depend on what else the machine runs: the same figures on an idle machine
    cpus = os.cpu_count() or 1
    print(f"by CPU time (other load and the command's start-up left out; PostgreSQL's own CPU not counted): "
          f"raw / command "
          f"{raw_cpu / command_cpu:.2f}; {BREACH_MEMBERS:,} members on {cpus} idle CPUs "
          f"{BREACH_MEMBERS * command_cpu / cpus / 60:.1f} min")


if __name__ == "__main__":
    main()
