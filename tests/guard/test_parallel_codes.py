"""8 processes send wrong codes at once to the e-mail change form of one account: no more codes are
checked than the budget (LOCKOUT_OTP_LIMIT = 5).

PostgreSQL only (SQLite serialises whole-database writes); also on the shared-cache counters.
"""

import multiprocessing

import pytest
from django.db import connection, connections
from django.test import Client

from secure_shopadmin.testing import pipeline_login

from ..conftest import STAFF_PASSWORD
from ..lockout.conftest import forget_redis_keys, use_redis

PROCESSES, ATTEMPTS_EACH = 8, 2


def fire(barrier, checked, page, cookie):
    from secure_shopadmin.twofactor import codes

    original = codes.verify_totp

    def counting(device, token):
        with checked.get_lock():
            checked.value += 1
        return original(device, token)

    codes.verify_totp = counting
    client = Client()
    client.cookies["sessionid"] = cookie
    barrier.wait()
    for _ in range(ATTEMPTS_EACH):
        client.post("/security/account/email/", {"email": "thief@evil.example", "password": STAFF_PASSWORD,
                                                 "otp_token": "000000"}, REMOTE_ADDR="198.51.100.67")
    connections.close_all()


@pytest.mark.forks
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counters", ["db", "cache"])
@pytest.mark.parametrize("page", ["email"])
def test_parallel_wrong_codes_never_exceed_the_budget(staff_user, staff_totp, settings, counters, page):
    if staff_totp.now() == "000000":
        pytest.skip("the wrong code is right this step")
    prefix = use_redis(settings) if counters == "cache" else None
    cookie = pipeline_login(Client(), staff_user).cookies["sessionid"].value
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, checked = context.Barrier(PROCESSES), context.Value("i", 0)
    workers = [context.Process(target=fire, args=(barrier, checked, page, cookie)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert all(worker.exitcode == 0 for worker in workers)
    if prefix:
        forget_redis_keys(prefix)
    assert 1 <= checked.value <= 5, checked.value
