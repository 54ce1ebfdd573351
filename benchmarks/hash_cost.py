"""What a login costs in password hashing: a wrapped fast legacy hash versus a plain argon2id hash.

A wrapped login pays the legacy digest, one argon2id at the wrap's parameters, and the upgrade to
plain argon2id (one more); a plain login pays one argon2id. Both at the example project's (Django's
production) argon2 parameters. Target: wrapped / plain <= 2.1.

    .venv/bin/python benchmarks/hash_cost.py [--rounds 15]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.1


def setup_django():
    sys.path[:0] = [str(ROOT), str(ROOT / "example_project")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopconsole.settings")
    import django

    django.setup()


def timed_login(password, encoded):
    """check_password as AbstractBaseUser.check_password calls it; the setter makes the upgraded hash."""
    from django.contrib.auth.hashers import check_password, make_password

    started = time.perf_counter()
    assert check_password(password, encoded, setter=make_password)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    setup_django()
    from django.contrib.auth.hashers import get_hasher, make_password

    from secure_shopadmin.hashers.legacy_make import make_legacy_password
    from secure_shopadmin.hashers.wrapped import default_params, wrap

    password = "correct horse battery staple"
    params = default_params()
    cases = {
        "plain argon2id": make_password(password),
        "wrapped md5": wrap(make_legacy_password("md5", password), params),
        "wrapped phpass": wrap(make_legacy_password("phpass", password), params),
        "legacy md5 (not wrapped)": make_legacy_password("md5", password),
    }
    for encoded in cases.values():
        timed_login(password, encoded)  # warm-up
    seconds = {name: [] for name in cases}
    for _ in range(rounds):  # interleaved, so a change in load hits every case alike
        for name, encoded in cases.items():
            seconds[name].append(timed_login(password, encoded))
    median = {name: statistics.median(values) for name, values in seconds.items()}
    # each round's wrapped/plain pair ran back to back: the median of their ratios shrugs off load changes
    ratio = statistics.median(w / p for w, p in zip(seconds["wrapped md5"], seconds["plain argon2id"], strict=True))
    preferred = get_hasher("default")
    print(f"argon2id time_cost={preferred.time_cost} memory_cost={preferred.memory_cost} KiB "
          f"parallelism={preferred.parallelism}; wrap {params}; median of {rounds} logins")
    for name, value in median.items():
        print(f"  {name:<26} {value * 1000:8.1f} ms  {value / median['plain argon2id']:5.2f}x")
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"wrapped md5 login / plain argon2id login (median of per-round ratios): {ratio:.2f} "
          f"(target <= {TARGET}) {verdict}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")



# --- session and environment stage (alerts) -------------------------------------------------------
# What stage 5's login history adds to a whole pipeline login (storefront member, no second factor,
# the example project's production argon2 parameters): the same login with LOGIN_HISTORY off (only
# the session registry and the device cookie) versus on, from a familiar environment and from an
# unfamiliar one (which also mails the alert, locmem backend). Interleaved, on a throw-away test
# database. Target: a familiar-environment login costs at most 10% more than with history off.
STAGE_TARGET = 1.10


_STAGE_SECONDS = []


def _timed_stage(stage):
    """Wrap stage 5's entry point to time it alone (the pipeline calls it through its module)."""
    def logged_in(request, user, partial):
        started = time.perf_counter()
        try:
            return stage(request, user, partial)
        finally:
            _STAGE_SECONDS.append(time.perf_counter() - started)
    return logged_in


def _stage_login(client, username, password, **extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post("/login/", {"username": username, "password": password}, **extra)
        elapsed = time.perf_counter() - started
    assert response.status_code == 302 and response.url == "/account/", response.status_code
    return elapsed, len(queries), _STAGE_SECONDS.pop()


def session_stage_cost(rounds):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from secure_shopadmin import pipeline
    from secure_shopadmin.alerts import environment, stage
    from secure_shopadmin.alerts.models import LoginRecord

    pipeline.session_stage = type("TimedStage", (), {"logged_in": staticmethod(_timed_stage(stage.logged_in))})

    import logging

    logging.getLogger("secure_shopadmin.security").setLevel(logging.WARNING)  # one line per alert otherwise
    setup_test_environment()  # locmem mail, "testserver" allowed
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        password = "bench member password 7"
        user = get_user_model().objects.create_user("bench-member", "bench@members.example", password)
        environment.warm_up()  # the parser's regexes compile once per process (~0.5 s)
        ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
        familiar = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR="203.0.113.10")
        # the guard stays in every case alike; only its limits are lifted for this many logins
        base = {**settings.SECURE_SHOPADMIN, "LOCKOUT_PAIR_LIMIT": 10 ** 9, "LOCKOUT_IP_LIMIT": 10 ** 9,
                "LOCKOUT_ACCOUNT_DELAY_AFTER": 10 ** 9, "LOCKOUT_ACCOUNT_LOCK_AFTER": 10 ** 9}
        cases = {
            "history off": dict(LOGIN_HISTORY=False),
            "history on, familiar": dict(LOGIN_HISTORY=True),
            "history on, new + alert": dict(LOGIN_HISTORY=True, ALERT_LIMIT=10 ** 9),
        }
        with override_settings(SECURE_SHOPADMIN={**base, **cases["history on, familiar"]}):
            _stage_login(familiar, user.username, password)  # the first login, learned silently
        seconds = {name: [] for name in cases}
        stage_seconds = {name: [] for name in cases}
        queries = {name: set() for name in cases}
        for index in range(rounds + 1):
            for name, overrides in cases.items():
                with override_settings(SECURE_SHOPADMIN={**base, **overrides}):
                    if name.endswith("alert"):  # a browser never seen, on a network never seen
                        client = Client(HTTP_USER_AGENT=ua.replace("Windows NT 10.0", "X11; Linux x86_64"))
                        extra = {"REMOTE_ADDR": f"10.{index // 250}.{index % 250}.1"}
                    else:
                        client, extra = familiar, {}
                    elapsed, count, in_stage = _stage_login(client, user.username, password, **extra)
                if index:  # the first round is a warm-up
                    seconds[name].append(elapsed)
                    stage_seconds[name].append(in_stage)
                    queries[name].add(count)
        pipeline.session_stage = stage
        sent = LoginRecord.objects.filter(alert="sent").count()
        assert sent == rounds + 1, sent
        median = {name: statistics.median(values) for name, values in seconds.items()}
        base_time = median["history off"]
        print(f"\nsession and environment stage: whole pipeline login, median of {rounds} "
              f"({connection.vendor})")
        for name, value in median.items():
            print(f"  {name:<26} {value * 1000:8.2f} ms  {value / base_time:5.3f}x  "
                  f"queries {'/'.join(map(str, sorted(queries[name])))}  "
                  f"stage 5 alone {statistics.median(stage_seconds[name]) * 1000:6.2f} ms")
        ratio = median["history on, familiar"] / base_time
        verdict = "ok" if ratio <= STAGE_TARGET else "OVER TARGET"
        print(f"familiar login with history / without: {ratio:.3f} (target <= {STAGE_TARGET}) {verdict}; "
              f"+{(median['history on, familiar'] - base_time) * 1000:.2f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def stage_main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--stage-rounds", type=int, default=None,
                        help="Rounds of the session-stage section (default: --rounds).")
    args, _unknown = parser.parse_known_args()
    session_stage_cost(args.stage_rounds or args.rounds)


if __name__ == "__main__":
    main()
    stage_main()
