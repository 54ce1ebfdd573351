"""Overhead of the app on an authenticated staff request to the admin.

Measures, in one run and interleaved, the SQL queries and the median time of a request to the
admin index and to a changelist, for plain Django admin (no secure_shopadmin/django-otp
middleware, a plain ``force_login`` session) versus the example console with the full app (a
session left by the pipeline), and prints both and their ratio.

    .venv/bin/python benchmarks/request_overhead.py [--rounds 300]
"""

import argparse
import time

from _setup import median, setup_django

APP_MIDDLEWARE = ("secure_shopadmin.", "django_otp.", "axes.")


def make_client(user, full_app):
    from django.conf import settings
    from django.test import Client, override_settings

    from secure_shopadmin.testing import pipeline_login

    middleware = settings.MIDDLEWARE if full_app else [
        m for m in settings.MIDDLEWARE if not m.startswith(APP_MIDDLEWARE)]
    client = Client()
    with override_settings(MIDDLEWARE=middleware):
        if full_app:
            pipeline_login(client, user)
        else:
            client.force_login(user)
        client.get("/admin/")  # loads this client's middleware chain under the override
    return client


def measure(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", members=200, verbosity=0, stdout=open("/dev/null", "w"))
    user = get_user_model().objects.get(username="owner")
    clients = {"plain admin": make_client(user, False), "full app": make_client(user, True)}
    urls = {"admin index": "/admin/", "changelist": "/admin/shop/order/"}
    results = {(label, name): ([], set()) for label in clients for name in urls}
    for _ in range(args.rounds):
        for name, url in urls.items():
            for label, client in clients.items():
                elapsed, queries = measure(client, url)
                results[label, name][0].append(elapsed)
                results[label, name][1].add(queries)

    print(f"{'page':<12} {'setup':<12} {'queries':>8} {'median ms':>10}")
    for name in urls:
        for label in clients:
            times, queries = results[label, name]
            print(f"{name:<12} {label:<12} {'/'.join(map(str, sorted(queries))):>8} {median(times) * 1000:>10.2f}")
        plain, full = (results[label, name] for label in clients)
        extra = max(full[1]) - max(plain[1])
        print(f"{name:<12} {'ratio':<12} {'+' + str(extra):>8} {median(full[0]) / median(plain[0]):>10.3f}x")


if __name__ == "__main__":
    main()
