"""What a refused login costs next to a normal failed one, and a credential-stuffing burst on loopback.

    .venv/bin/python benchmarks/lockout_cost.py [--samples 40] [--burst 10000] [--threads 8]

Part 1 (in process, the real argon2id of the example project): the median time of a failed login
(a wrong password: one hash) and of a refused one (a locked client: no hash), and their ratio.
Part 2: the example project served by a threaded WSGI server on 127.0.0.1; a burst of wrong
passwords for many different usernames, as a stuffing list would send them: throughput, and how
many attempts reached the hasher (the per-IP rule should stop it after LOCKOUT_IP_LIMIT).
Set BENCH_DATABASE_URL=postgres://… to run on PostgreSQL; the default is a temporary SQLite file.
Every figure is measured in the same run; nothing is compared with a stored number.
"""

import argparse
import http.client
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import median, setup_django  # noqa: E402

HASHED = {"count": 0}
HASH_LOCK = threading.Lock()


def count_hashes():
    from django.contrib.auth import hashers

    hasher_class = type(hashers.get_hasher("default"))
    verify, encode = hasher_class.verify, hasher_class.encode

    def counted(original):
        def wrapper(*args, **kwargs):
            with HASH_LOCK:
                HASHED["count"] += 1
            return original(*args, **kwargs)
        return wrapper

    hasher_class.verify, hasher_class.encode = counted(verify), counted(encode)


def timed_post(client, username, password, ip_address):
    start = time.perf_counter()
    response = client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip_address)
    return time.perf_counter() - start, response.status_code


def part_one(samples):
    from django.test import Client

    from secure_shopadmin.lockout import services

    failed, refused = [], []
    for n in range(samples):
        services.reset(username="clerk")
        elapsed, status = timed_post(Client(), "clerk", "wrong password", f"10.1.{n}.1")
        assert status == 200, status
        failed.append(elapsed)
    services.reset(username="clerk")
    for _ in range(5):
        timed_post(Client(), "clerk", "wrong password", "203.0.113.1")
    before = HASHED["count"]
    for _ in range(samples * 5):
        elapsed, status = timed_post(Client(), "clerk", "correct horse battery staple", "203.0.113.1")
        assert status == 429, status
        refused.append(elapsed)
    assert HASHED["count"] == before, "a refused attempt reached the hasher"
    for n in range(20):  # lock the IP with unknown usernames, then time refusals of more of them
        timed_post(Client(), f"probe{n}@mail.example", "wrong password", "203.0.113.2")
    refused_unknown = []
    for n in range(samples * 5):
        elapsed, status = timed_post(Client(), f"list{n}@mail.example", "leaked", "203.0.113.2")
        assert status == 429, status
        refused_unknown.append(elapsed)
    failed_ms, refused_ms = median(failed) * 1000, median(refused) * 1000
    unknown_ms = median(refused_unknown) * 1000
    print(f"failed login  (one argon2id hash)      : median {failed_ms:8.2f} ms over {len(failed)}")
    print(f"refused login, staff username          : median {refused_ms:8.2f} ms over {len(refused)}"
          "  (includes the alerts' failed-staff-login record, written after the response)")
    print(f"refused login, unknown username        : median {unknown_ms:8.2f} ms over {len(refused_unknown)}")
    print(f"ratio failed/refused (staff, unknown)  : {failed_ms / refused_ms:8.1f}x, {failed_ms / unknown_ms:.1f}x"
          "  (target >= 20x)")


def serve():
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def part_two(total, threads):
    from secure_shopadmin.lockout import services

    services.reset(ip_address="127.0.0.1")
    server = serve()
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/admin/login/")
    page = connection.getresponse()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    connection.close()
    statuses, before = {}, HASHED["count"]

    def one(n):
        body = urlencode({"csrfmiddlewaretoken": token, "username": f"shopper{n:05d}@mail.example",
                          "password": f"leaked-{n}"})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/admin/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"})
        status = conn.getresponse().status
        conn.close()
        return status

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for status in pool.map(one, range(total)):
            statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - start
    server.shutdown()
    print(f"stuffing burst: {total} attempts, {threads} client threads, 127.0.0.1 -> example project")
    print(f"  throughput        : {total / elapsed:8.0f} attempts/s ({elapsed:.1f} s)")
    print(f"  reached the hasher: {HASHED['count'] - before} (LOCKOUT_IP_LIMIT is 20)")
    print(f"  answers           : {dict(sorted(statuses.items()))}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--burst", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if not 1 <= args.burst <= 100000 or not 1 <= args.samples <= 1000 or not 1 <= args.threads <= 64:
        parser.error("keep the loops bounded: samples <= 1000, burst <= 100000, threads <= 64")
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/lockout_bench.sqlite3"
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    setup_django(database)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    settings.LOGGING = {"version": 1}
    import logging

    logging.disable(logging.WARNING)
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN,
                                 "TWO_FACTOR_POLICY": {"staff": False, "superusers": False, "members": False}}
    user_model = get_user_model()
    user_model.objects.filter(username="clerk").delete()
    user_model.objects.create_user("clerk", "clerk@shop.example", "correct horse battery staple", is_staff=True)
    count_hashes()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    part_one(args.samples)
    part_two(args.burst, args.threads)


if __name__ == "__main__":
    main()
