"""16 wrong risk codes at once, from 8 processes on one partial login: no more are checked than the
guard's code budget (LOCKOUT_OTP_LIMIT = 5). PostgreSQL only (SQLite serialises whole-database writes)."""

import multiprocessing

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from secure_shopadmin.alerts.models import RiskChallenge

from ..alerts.conftest import FIREFOX_LINUX, HOME_IP, OTHER_IP, browser
from ..conftest import MEMBER_PASSWORD
from ..lockout.conftest import forget_redis_keys, use_redis

PROCESSES, ATTEMPTS_EACH = 8, 2


def fire(barrier, checked, cookie):
    from secure_shopadmin.alerts import challenge

    original = challenge.verify

    def counting(user, binding, code):
        with checked.get_lock():
            checked.value += 1
        return original(user, binding, code)

    challenge.verify = counting
    client = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR=OTHER_IP)
    client.cookies["sessionid"] = cookie
    barrier.wait()
    for _ in range(ATTEMPTS_EACH):
        client.post("/security/login/code/", {"code": "ABCDE-FGHJK"})
    connections.close_all()


@pytest.mark.forks
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counters", ["db", "cache"])
def test_parallel_wrong_risk_codes_never_exceed_the_budget(member, geo, settings, counters):
    prefix = use_redis(settings) if counters == "cache" else None
    browser(ip=HOME_IP).post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    attacker = browser(FIREFOX_LINUX, OTHER_IP)
    response = attacker.post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
    assert response["Location"] == reverse("secure_shopadmin:risk_code")
    cookie = attacker.cookies["sessionid"].value
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, checked = context.Barrier(PROCESSES), context.Value("i", 0)
    workers = [context.Process(target=fire, args=(barrier, checked, cookie)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert all(worker.exitcode == 0 for worker in workers)
    if prefix:
        forget_redis_keys(prefix)
    assert 1 <= checked.value <= 5, checked.value
    assert RiskChallenge.objects.get().failures <= 5
