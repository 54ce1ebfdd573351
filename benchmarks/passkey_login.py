"""What a passkey sign-in costs against a password + TOTP login: time and database queries, one run.

Both are a member's whole storefront login through the pipeline, as a browser makes it, on a
throw-away test database with the example project's (Django's production) argon2 parameters:

* password + TOTP: GET the login page, POST username and password, GET the code page, POST the code;
* passkey: GET the login page (its options, a challenge), POST the passkey's answer (no username).

The passkey's answer comes from the tests' software authenticator (ES256), made outside the timed
part, as the browser's authenticator makes it outside the server. Interleaved rounds, each on a new
client; the guard's limits are lifted for this many logins (it runs alike in both). Target: the
passkey sign-in costs no more than the password + TOTP login, in time and in queries.

    .venv/bin/python benchmarks/passkey_login.py [--rounds 15]   (BENCH_DATABASE_URL: another database)
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT  # noqa: E402

SITE = "https://shop.example"
PASSWORD = "bench member password 7"


def setup():
    sys.path[:0] = [str(ROOT), str(ROOT / "example_project")]
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", "sqlite://:memory:"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopconsole.settings")
    import django

    django.setup()


def measured(steps):
    """Run ``steps`` (a callable making the requests); returns (seconds, queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        steps()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def password_and_totp(totp, username):
    from django.test import Client

    from secure_shopadmin.twofactor.models import AuthenticatorDevice

    AuthenticatorDevice.objects.update(last_t=-1)  # one code per time step: let this round's code pass
    client, code = Client(), totp.now()

    def steps():
        client.get("/login/")
        response = client.post("/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302 and "/2fa/verify/" in response.url, response.status_code
        client.get(response.url)
        done = client.post(response.url, {"otp_token": code})
        assert done.status_code == 302 and done.url == "/account/", (done.status_code, done.url)

    return measured(steps)


def passkey(key):
    from django.test import Client

    client = Client()
    answers = []
    real_get = client.get

    def get_and_answer(path):
        response = real_get(path)  # timed: the server's part; the authenticator's signature is not
        started = time.perf_counter()
        answers.append(key.get(response.context["passkey_sign_in_options"]))
        answers.append(time.perf_counter() - started)
        return response

    def steps():
        get_and_answer("/login/")
        response = client.post("/login/", {"passkey_answer": answers[0]})
        assert response.status_code == 302 and response.url == "/account/", response.status_code

    elapsed, queries = measured(steps)
    return elapsed - answers[1], queries


def run(rounds):
    import logging

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory, override_settings
    from django.test.utils import setup_test_environment

    from secure_shopadmin.twofactor.passkeys import ceremonies
    from tests.conftest import enrol_device
    from tests.twofactor.softkey import SoftAuthenticator

    logging.getLogger("secure_shopadmin.security").setLevel(logging.WARNING)  # one line per event otherwise
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    limits = {"LOCKOUT_PAIR_LIMIT": 10 ** 9, "LOCKOUT_IP_LIMIT": 10 ** 9, "LOCKOUT_ACCOUNT_DELAY_AFTER": 10 ** 9,
              "LOCKOUT_ACCOUNT_LOCK_AFTER": 10 ** 9, "LOGIN_HISTORY": True, "SITE_URL": SITE}
    try:
        with override_settings(SECURE_SHOPADMIN={**settings.SECURE_SHOPADMIN, **limits}):
            users = get_user_model().objects
            with_totp = users.create_user("bench-totp", "totp@members.example", PASSWORD)
            totp = enrol_device(with_totp)
            with_passkey = users.create_user("bench-passkey", "passkey@members.example", PASSWORD)
            key = SoftAuthenticator(SITE, counter=1, resident=True)
            request = RequestFactory().post("/")
            request.session = SessionStore()
            options = ceremonies.registration_options(request, with_passkey, sign_in=True)
            ceremonies.register(request, with_passkey, key.create(options), sign_in=True)
            cases = {"password + TOTP": lambda: password_and_totp(totp, with_totp.username),
                     "passkey sign-in": lambda: passkey(key)}
            seconds = {name: [] for name in cases}
            queries = {name: set() for name in cases}
            for index in range(rounds + 1):
                for name, login in cases.items():
                    elapsed, count = login()
                    if index:  # the first round is a warm-up
                        seconds[name].append(elapsed)
                        queries[name].add(count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report(rounds, seconds, queries, connection.vendor)


def report(rounds, seconds, queries, vendor):
    baseline, candidate = "password + TOTP", "passkey sign-in"
    median = {name: statistics.median(values) for name, values in seconds.items()}
    ratio = statistics.median(p / t for p, t in zip(seconds[candidate], seconds[baseline], strict=True))
    print(f"whole member login, median of {rounds} ({vendor}, argon2 as in production)")
    for name, value in median.items():
        print(f"  {name:<18} {value * 1000:8.2f} ms  {value / median[baseline]:5.3f}x  "
              f"queries {'/'.join(map(str, sorted(queries[name])))}")
    most = {name: max(values) for name, values in queries.items()}
    verdict = "ok" if ratio <= 1 and most[candidate] <= most[baseline] else "OVER TARGET"
    print(f"passkey / password + TOTP: time {ratio:.3f} (median of per-round ratios), queries "
          f"{most[candidate]}/{most[baseline]} = {most[candidate] / most[baseline]:.3f} (target <= 1) {verdict}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    setup()
    run(args.rounds)


if __name__ == "__main__":
    main()
