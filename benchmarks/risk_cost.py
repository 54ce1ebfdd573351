"""What the risk step costs a login: the same storefront login (a member on a known device, at home,
the example project's production argon2id parameters, the whole pipeline) with ``RISK_ASSESSMENT``
off and on, interleaved in one run, with small City and ASN databases configured in both.
Targets: at most 2 extra queries, and at most 1.05x the time of the login with risk off.

    .venv/bin/python benchmarks/risk_cost.py [--rounds 30]

Needs ``mmdb-writer`` (the test extra) to write the databases. BENCH_DATABASE_URL picks the database
(default: SQLite in memory).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django  # noqa: E402

QUERY_TARGET, TIME_TARGET = 2, 1.05
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


ASSESSMENTS = []


def timed_assessment(assess):
    """Time stage 5's assessment alone (the pipeline calls it through its module)."""
    def assess_risk(*args, **kwargs):
        started = time.perf_counter()
        try:
            return assess(*args, **kwargs)
        finally:
            ASSESSMENTS.append(time.perf_counter() - started)
    return assess_risk


def timed_login(client, username, password):
    """Seconds and database queries of one login (counted as they run, whatever the query log keeps)."""
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.post("/login/", {"username": username, "password": password})
        elapsed = time.perf_counter() - started
    assert response.status_code == 302 and response.url == "/account/", (response.status_code, response.url)
    client.post("/logout/")
    return elapsed, len(executed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    setup_django()
    sys.path.insert(0, str(ROOT))
    import logging

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from secure_shopadmin.alerts import environment, stage
    from tests.risk import geodb

    logging.getLogger("secure_shopadmin.security").setLevel(logging.WARNING)
    setup_test_environment()
    folder = Path(tempfile.mkdtemp(prefix="risk-cost-"))
    password = "bench member password 7"
    user = get_user_model().objects.create_user("bench-member", "bench@members.example", password)
    environment.warm_up()
    stage.assess_risk = timed_assessment(stage.assess_risk)
    base = {**settings.SECURE_SHOPADMIN, "GEOIP_DATABASES": geodb.build(folder),
            "LOCKOUT_PAIR_LIMIT": 10 ** 9, "LOCKOUT_IP_LIMIT": 10 ** 9,
            "LOCKOUT_ACCOUNT_DELAY_AFTER": 10 ** 9, "LOCKOUT_ACCOUNT_LOCK_AFTER": 10 ** 9}
    cases = {"risk off": {"RISK_ASSESSMENT": False}, "risk on": {"RISK_ASSESSMENT": True}}
    client = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.10")  # Osaka, Example Net in the databases
    with override_settings(SECURE_SHOPADMIN={**base, **cases["risk on"]}):
        timed_login(client, user.username, password)  # the first login: the device becomes known
    seconds = {name: [] for name in cases}
    queries = {name: set() for name in cases}
    for index in range(rounds + 1):
        order = list(cases) if index % 2 else list(reversed(cases))  # neither case always goes first
        for name in order:
            with override_settings(SECURE_SHOPADMIN={**base, **cases[name]}):
                elapsed, count = timed_login(client, user.username, password)
            if index:  # the first round warms up (breach lists, databases, templates)
                seconds[name].append(elapsed)
                queries[name].add(count)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    ratio = statistics.median(on / off for on, off in zip(seconds["risk on"], seconds["risk off"], strict=True))
    extra = max(queries["risk on"]) - min(queries["risk off"])
    hasher = get_hasher("default")
    print(f"storefront login, known device at home; argon2id time_cost={hasher.time_cost} "
          f"memory_cost={hasher.memory_cost} KiB; median of {rounds} interleaved rounds "
          f"(the sqlite default or BENCH_DATABASE_URL)")
    for name, value in median.items():
        print(f"  {name:<10} {value * 1000:8.2f} ms  queries {'/'.join(map(str, sorted(queries[name])))}")
    print(f"  the assessment alone (breach lists, GeoIP, anonymous lists, 2 queries): "
          f"{statistics.median(ASSESSMENTS) * 1000:.2f} ms median")
    ok = extra <= QUERY_TARGET and ratio <= TIME_TARGET
    print(f"risk step: {extra:+d} queries (target <= {QUERY_TARGET}); time risk on / off (median of per-round "
          f"ratios) {ratio:.3f} (target <= {TIME_TARGET}); +{(median['risk on'] - median['risk off']) * 1000:.2f} ms; "
          f"{'ok' if ok else 'OVER TARGET'}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
