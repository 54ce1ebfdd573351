"""Each login kind stays within its query budget; above it, the test names every query.

The budget is the issue's: at most 20 queries per request of a login (the risk step included), plain
Django's LoginView taking 9; the code request of a staff login and a passkey sign-in included. On a
database without one-statement reservations (MariaDB: no ``RETURNING`` on ``ON DUPLICATE KEY UPDATE``)
the guard's ``SELECT … FOR UPDATE`` transaction takes up to 8 more.
``benchmarks/login_cost.py`` prints the same counts with the times.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secure_shopadmin.lockout import store_sql

from .conftest import MEMBER_PASSWORD, STAFF_PASSWORD
from .twofactor.softkey import SoftAuthenticator

pytestmark = pytest.mark.django_db
BUDGET = 20
SITE = "https://shop.example"
ROW_LOCK_PATH = 8
VERIFY = reverse("secure_shopadmin:twofactor_verify")


def within(budget, queries, what):
    budget += 0 if store_sql.supported(connection) else ROW_LOCK_PATH
    listed = "\n".join(f"  {n}. {query['sql'][:200]}" for n, query in enumerate(queries.captured_queries, 1))
    assert len(queries) <= budget, f"{what}: {len(queries)} queries, budget {budget}:\n{listed}"


def counted(client, url, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, REMOTE_ADDR="203.0.113.40")
    assert response.status_code == 302, response.status_code
    return queries


def test_a_members_password_login(member):
    client = Client()
    queries = counted(client, reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    assert SESSION_KEY in client.session
    within(BUDGET, queries, "member password login")


def test_a_members_password_login_with_the_risk_step_off(member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "RISK_ASSESSMENT": False}
    client = Client()
    queries = counted(client, reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    assert SESSION_KEY in client.session
    within(BUDGET, queries, "member password login, risk step off")


def test_a_passkey_sign_in(member, settings, rf):
    from django.contrib.sessions.backends.db import SessionStore

    from secure_shopadmin.twofactor.passkeys import ceremonies

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": SITE}
    key, request = SoftAuthenticator(SITE, counter=1, resident=True), rf.post("/")
    request.session = SessionStore()
    ceremonies.register(request, member, key.create(ceremonies.registration_options(request, member, sign_in=True)),
                        sign_in=True)
    client = Client()
    answer = key.get(client.get(reverse("shop:login")).context["passkey_sign_in_options"])
    queries = counted(client, reverse("shop:login"), {"passkey_answer": answer})
    assert SESSION_KEY in client.session
    within(BUDGET, queries, "passkey sign-in")


def test_a_staff_login_with_password_and_totp(staff_user, staff_totp):
    client = Client()
    password = counted(client, reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})
    code = counted(client, VERIFY, {"otp_token": staff_totp.now()})
    assert SESSION_KEY in client.session
    within(BUDGET, password, "staff login, the password")
    within(BUDGET, code, "staff login, the code")
