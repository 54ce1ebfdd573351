"""Each login kind stays within its query budget; above it, the test names every query.

The budget is the issue's: at most 20 queries per login (the risk step included), plain Django's
LoginView taking 9; a staff login's two requests (the password, the code) together, and a passkey sign-in. On a
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

from secure_shopadmin.core.models import MailLanguage
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


def counted(client, url, data, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, REMOTE_ADDR="203.0.113.40", **headers)
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


def test_a_staff_login_with_password_and_totp_as_a_whole(staff_user, staff_totp):
    """The budget holds for the whole login, its two requests together (a reservation in each)."""
    client = Client()
    password = counted(client, reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})
    code = counted(client, VERIFY, {"otp_token": staff_totp.now()})
    assert SESSION_KEY in client.session
    password.captured_queries.extend(code.captured_queries)
    budget = BUDGET if store_sql.supported(connection) else BUDGET + ROW_LOCK_PATH  # two reservations
    within(budget, password, "staff login, the password and the code")


def test_a_returning_members_login_in_the_same_language_writes_no_language(member):
    Client().post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD},
                  HTTP_ACCEPT_LANGUAGE="ja")
    assert MailLanguage.objects.get(user=member).language == "ja"
    queries = counted(Client(), reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD},
                      HTTP_ACCEPT_LANGUAGE="ja")
    assert not [q for q in queries.captured_queries if "maillanguage" in q["sql"] and not q["sql"].startswith("SELECT")]
    counted(Client(), reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD},
            HTTP_ACCEPT_LANGUAGE="en")
    assert MailLanguage.objects.get(user=member).language == "en"
