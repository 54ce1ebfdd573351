"""The failed-login padding under a credential-stuffing flood, on gunicorn's sync workers.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python benchmarks/padding_flood.py \\
        [--port 8271] [--workers 2] [--seconds 20] [--flooders 8] [--bcrypt-cost 13]

A failed login lasts as long as a wrong password against the slowest stored format (``FAILED_LOGIN_PADDING =
"slowest"``): with a legacy bcrypt stored, the rest of that time is slept, and a sync worker sleeping serves
nobody. For each padding ("slowest", then "preferred": one argon2id check) the run starts gunicorn (sync
workers, the example project's real argon2id) and floods it with wrong passwords for made-up usernames, each
from its own address (``X-Forwarded-For``, loopback the trusted proxy; five attempts an address, under every
limit), while a member logs in with the right password every half second from a clean address. Printed per
padding: failed logins answered per second, the member's login time (median, 90th percentile), and how
much of a failed login was slept.
"""

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django  # noqa: E402
from two_servers import Browser, stop_servers  # noqa: E402

PASSWORD = "flood member password 5"


def seed(cost):
    import bcrypt
    from django.contrib.auth import get_user_model

    from secure_shopadmin.hashers import from_legacy

    users = get_user_model().objects
    users.filter(username__in=["flood-member", "flood-legacy"]).delete()
    users.create_user("flood-member", "m@members.example", PASSWORD)
    legacy = users.create_user("flood-legacy", "l@members.example")
    legacy.password = from_legacy("bcrypt_php", bcrypt.hashpw(b"other", bcrypt.gensalt(cost)).decode())
    legacy.save()


def start(port, workers, padding, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "padding_flood_settings",
           "SSA_PADDING": padding, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT / "example_project"), str(ROOT)])}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "shopconsole.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Browser(port, "192.0.2.1").request("GET", "/login/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop_servers([server])
    raise RuntimeError("gunicorn did not start")


def flood(port, seconds, flooders):
    addresses = (f"10.{n // 65000}.{n // 250 % 250}.{n % 250 + 1}" for n in itertools.count())
    lock, answered, statuses, member_times = threading.Lock(), [], {}, []
    stop_at = time.monotonic() + seconds

    def flooder(index):
        while time.monotonic() < stop_at:
            with lock:
                address = next(addresses)
            browser = Browser(port, address)
            browser.request("GET", "/login/")  # the CSRF cookie
            for attempt in range(5):  # under the pair (5) and IP (20) limits
                started = time.perf_counter()
                status = browser.request("POST", "/login/", {"username": f"stuffed-{index}-{address}-{attempt}",
                                                              "password": "leaked elsewhere"})[0]
                with lock:
                    answered.append(time.perf_counter() - started)
                    statuses[status] = statuses.get(status, 0) + 1

    def member():
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            browser = Browser(port, f"192.0.2.{n % 250 + 1}")
            browser.request("GET", "/login/")
            started = time.perf_counter()
            status, location, _ = browser.request("POST", "/login/", {"username": "flood-member",
                                                                      "password": PASSWORD})
            assert status == 302 and location.endswith("/account/"), (status, location)
            member_times.append(time.perf_counter() - started)
            time.sleep(0.5)

    threads = [threading.Thread(target=flooder, args=(i,)) for i in range(flooders)] + [threading.Thread(target=member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answered, statuses, member_times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8271)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--bcrypt-cost", type=int, default=13)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ssa_padding_flood")
    setup_django(database_url)
    seed(args.bcrypt_cost)
    from secure_shopadmin.hashers import timing

    argon2, slowest = timing._preferred_seconds(), timing.slowest_check()
    print(f"sync workers: {args.workers}; {args.flooders} flooders for {args.seconds:g} s; here one argon2id "
          f"{argon2 * 1000:.0f} ms, the slowest stored check (bcrypt cost {args.bcrypt_cost}) {slowest * 1000:.0f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for padding in ("slowest", "preferred"):
        server = start(args.port, args.workers, padding, database_url)
        try:
            answered, statuses, member_times = flood(args.port, args.seconds, args.flooders)
        finally:
            stop_servers([server])
        ordered = sorted(member_times)
        print(f"  {padding:<9} failed logins {len(answered) / args.seconds:6.1f}/s "
              f"(median {statistics.median(answered) * 1000:6.0f} ms; answers {dict(sorted(statuses.items()))}); "
              f"member login median {statistics.median(ordered) * 1000:6.0f} ms, "
              f"p90 {ordered[int(len(ordered) * 0.9)] * 1000:6.0f} ms ({len(ordered)} logins)")


if __name__ == "__main__":
    main()
