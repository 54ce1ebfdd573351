"""What a login costs beyond its hash: each login kind through the pipeline against plain Django's LoginView.

    .venv/bin/python benchmarks/login_cost.py [--rounds 40] [--database-url postgres://postgres@127.0.0.1:5432/NAME]

Both sides run on the example project's settings and the same database (default: a new SQLite file),
with MD5 first in ``PASSWORD_HASHERS``: the hash is negligible, so what is measured is everything else
a login does. The baseline is plain Django's admin ``LoginView`` with Django's default middleware and
``ModelBackend`` only (django-axes off, nothing of this app in front). Rounds are interleaved (each round
runs every kind once, baseline first), each login from a new browser and a new address. A kind's own
settings (:data:`KIND_SETTINGS`) are in force around its whole login, and Django's URL resolver is filled
before its timed requests, in every language of ``LANGUAGES``, with the namespace the console's home is
reversed in: a settings change empties those caches, and refilling them (the admin's whole reverse map,
once per language) is no login's cost. Printed per
kind: median milliseconds, the ratio to the baseline, and the SQL queries (the median count; a kind's
work after the response is in both, as the test client waits for it). Targets: <= 3x the baseline's
time and <= 20 queries per login (a login of several requests: all of them together).

Kinds: a member's password login with the risk step on (the default) and off, a staff password + TOTP
login, a passkey sign-in. A kind is one function in :data:`KINDS`: it prepares a login (users, codes,
keys) and returns the zero-argument callables of its requests (only they are timed). A kind of several
requests (the password, then the code) is judged as a whole, all its requests against the baseline's
one request; each request is shown too.
"""

import argparse
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django  # noqa: E402

TIME_TARGET = 3.0
QUERY_TARGET = 20
PASSWORD = "bench login 9 staple"
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"
PLAIN_MIDDLEWARE = [  # django-admin startproject's
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
_addresses = (f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}" for n in itertools.count())


def new_user(**extra):
    from django.contrib.auth import get_user_model

    name = f"bench-{uuid.uuid4().hex[:12]}"
    return get_user_model().objects.create_user(name, f"{name}@members.example", PASSWORD, **extra)


def browser():
    from django.test import Client

    return Client(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR=next(_addresses))


def expect(response, url=None):
    assert response.status_code == 302, (response.status_code, response.content[:300])
    assert url is None or response.url == url, (response.url, url)
    return response


# --- the kinds ---------------------------------------------------------------------------------------

def plain_django():
    """The baseline: plain Django's admin login of a staff user (no second factor)."""
    user, client = new_user(is_staff=True), browser()
    return [lambda: expect(client.post("/admin/login/", {"username": user.username, "password": PASSWORD,
                                                         "next": "/admin/"}), "/admin/")]


def plain_settings():
    from django.test import override_settings

    return override_settings(MIDDLEWARE=PLAIN_MIDDLEWARE, ROOT_URLCONF="plain_login_urls", AXES_ENABLED=False,
                             AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"])


def member_password():
    """A member's storefront login (no second factor)."""
    user, client = new_user(), browser()
    return [lambda: expect(client.post("/login/", {"username": user.username, "password": PASSWORD}), "/account/")]


def staff_password_totp():
    """A staff member's console login: the password, then a TOTP code (two requests)."""
    from django.urls import reverse
    from django_otp.oath import totp

    from secure_shopadmin.core import crypto
    from secure_shopadmin.twofactor.models import AuthenticatorDevice

    user, client = new_user(is_staff=True), browser()
    key = os.urandom(20)
    AuthenticatorDevice.objects.create(user=user, name="Phone", confirmed=True, key_encrypted=crypto.encrypt(key))
    code = f"{totp(key):06d}"
    verify = reverse("secure_shopadmin:twofactor_verify")

    return [lambda: expect(client.post("/admin/login/", {"username": user.username, "password": PASSWORD}), verify),
            lambda: expect(client.post(verify, {"otp_token": code}), "/admin/")]


def member_password_risk_off():
    """A member's storefront login with the risk assessment off (``RISK_ASSESSMENT = False``)."""
    return member_password()


def risk_off_settings():
    from django.conf import settings
    from django.test import override_settings

    return override_settings(SECURE_SHOPADMIN={**settings.SECURE_SHOPADMIN, "RISK_ASSESSMENT": False})


def passkey_sign_in():
    """A member's sign-in with a passkey alone (a software authenticator's answer to the login page's options;
    the page's GET is not timed)."""
    from django.test import RequestFactory

    from secure_shopadmin.twofactor.passkeys import ceremonies
    from tests.twofactor.softkey import SoftAuthenticator

    user, client = new_user(), browser()
    key = SoftAuthenticator(PASSKEY_SITE, counter=1, resident=True)
    request = RequestFactory().post("/")
    request.session = __import__("django.contrib.sessions.backends.db").contrib.sessions.backends.db.SessionStore()
    ceremonies.register(request, user, key.create(ceremonies.registration_options(request, user, sign_in=True)),
                        sign_in=True)
    answer = key.get(client.get("/login/").context["passkey_sign_in_options"])
    return [lambda: expect(client.post("/login/", {"passkey_answer": answer}), "/account/")]


PASSKEY_SITE = "https://shop.example"  # SITE_URL of the run: a passkey is bound to a domain name
KINDS = {
    "plain Django LoginView": plain_django,
    "member password, risk step on": member_password,
    "member password, risk off": member_password_risk_off,
    "staff password + TOTP": staff_password_totp,
    "passkey sign-in": passkey_sign_in,
}
#: a kind's own settings, in force from before its login is prepared until after its requests
KIND_SETTINGS = {"plain Django LoginView": plain_settings, "member password, risk off": risk_off_settings}


# --- the run -----------------------------------------------------------------------------------------

def measure(kind):
    """[(seconds, queries)] of each request of one login of ``kind``.

    A kind's settings change (URLconf, middleware, the app's settings) clears Django's URL resolver and
    the app's settings cache: they are filled again before the timed requests, which would otherwise
    charge the rebuilding of the whole URLconf's reverse map (per language) to whichever kind comes next."""
    from contextlib import nullcontext

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import get_resolver, reverse
    from django.utils import translation

    with KIND_SETTINGS.get(kind, nullcontext)():
        requests = KINDS[kind]()
        for language, _name in settings.LANGUAGES:  # the resolver keeps a reverse map per language
            with translation.override(language):
                get_resolver().reverse_dict  # noqa: B018  (fills it)
                if kind != "plain Django LoginView":
                    reverse("admin:index")  # and one per namespace, cached apart (the console's home)
        figures = []
        for request in requests:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                request()
                elapsed = time.perf_counter() - started
            figures.append((elapsed, queries.captured_queries))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file (BENCH_DATABASE_URL if set)")
    parser.add_argument("--show-queries", action="store_true", help="print each kind's queries of the last round")
    args = parser.parse_args()
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='ssa-login-cost-')}/bench.sqlite3"
    setup_django(url)
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import setup_test_environment



    logging.getLogger("secure_shopadmin.security").setLevel(logging.WARNING)
    setup_test_environment()  # locmem mail, "testserver" allowed
    hashers = override_settings(PASSWORD_HASHERS=[MD5, *settings.PASSWORD_HASHERS], DEBUG=False,
                                SECURE_SHOPADMIN={**settings.SECURE_SHOPADMIN, "SITE_URL": PASSKEY_SITE})
    hashers.enable()
    from secure_shopadmin.alerts import environment

    environment.warm_up()
    seconds, counts, last = {}, {}, {}
    for index in range(args.rounds + 3):
        for kind in KINDS:
            figures = measure(kind)
            if index >= 3:  # three warm-up rounds
                for step, (elapsed, queries) in enumerate(figures):
                    seconds.setdefault((kind, step), []).append(elapsed)
                    counts.setdefault((kind, step), []).append(len(queries))
                last[kind] = [query for _elapsed, queries in figures for query in queries]
    base = statistics.median(seconds["plain Django LoginView", 0])
    print(f"login cost beyond the hash (MD5 first in both), median of {args.rounds} interleaved rounds, "
          f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
          f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    failed = False
    for kind in KINDS:
        steps = sorted(step for name, step in seconds if name == kind)
        medians = [statistics.median(seconds[kind, step]) for step in steps]
        queries = [int(statistics.median(counts[kind, step])) for step in steps]
        over = sum(medians) / base > TIME_TARGET or sum(queries) > QUERY_TARGET  # the whole login
        verdict = "" if kind == "plain Django LoginView" else ("OVER TARGET" if over else "ok")
        failed |= over and bool(verdict)
        print(f"  {kind:<30} {sum(medians) * 1000:7.2f} ms  {sum(medians) / base:5.2f}x  {sum(queries):3d} queries  "
              f"{verdict}")
        if len(steps) > 1:
            for step, (median, count) in enumerate(zip(medians, queries, strict=True), 1):
                print(f"    request {step}: {median * 1000:7.2f} ms  {median / base:5.2f}x  {count:3d} queries")
    print(f"targets per login (all its requests): <= {TIME_TARGET:g}x the baseline's time, <= {QUERY_TARGET} queries")
    if args.show_queries:
        for kind, queries in last.items():
            print(f"\n{kind}:")
            for query in queries:
                print("   ", query["sql"][:160])
    hashers.disable()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
