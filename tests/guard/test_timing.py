"""No timing oracle: an unknown username, a wrong argon2id password and a wrong password of a slow legacy
bcrypt cost the same; the mail of "send me a new link" is sent after the response.

Structural, not timed: the hash functions advance a virtual clock by a fixed cost each (argon2id 0.2 s,
bcrypt 0.0343 s x 2^(cost-8), so cost 12 is 0.55 s), the app's waits advance it by what they sleep, and
a login's cost is the virtual time it used. Nothing here depends on the machine's speed or load."""

import argon2
import bcrypt
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from secure_shopadmin.core import deferred
from secure_shopadmin.hashers import base as hashers_base
from secure_shopadmin.hashers import from_legacy, stage, timing
from secure_shopadmin.resets import outbox
from secure_shopadmin.resets import services as resets

from ..virtual_clock import VirtualTime

pytestmark = pytest.mark.django_db
ARGON2, BCRYPT_8 = 0.2, 0.0343
PASSWORD = "the right one 2024"


@pytest.fixture
def clock(monkeypatch):
    virtual = VirtualTime()
    for module in (timing, stage, hashers_base):  # wrapped hashes are timed by hashers.base.verify_evenly
        monkeypatch.setattr(module, "time", virtual)

    def bcrypt_cost(password, salt, *rest):
        return BCRYPT_8 * 2 ** (int(salt.split(b"$")[2]) - 8)

    monkeypatch.setattr(bcrypt, "hashpw", virtual.costing(bcrypt.hashpw, bcrypt_cost))
    for module in (argon2.low_level, argon2._password_hasher):
        monkeypatch.setattr(module, "hash_secret", virtual.costing(module.hash_secret, lambda *a, **k: ARGON2))
        monkeypatch.setattr(module, "verify_secret", virtual.costing(module.verify_secret, lambda *a, **k: ARGON2))
    timing.forget_slowest()
    yield virtual
    timing.forget_slowest()


@pytest.fixture
def members(db):
    users = get_user_model().objects
    users.create_user("argon2member", "a@members.example", PASSWORD)
    slow = users.create_user("bcryptmember", "b@members.example")
    slow.password = from_legacy("bcrypt_php", bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(12)).decode())
    slow.save()


def login_cost(clock, username, ip):
    timing.slowest_check()  # measured once per process and hour: not part of any one login
    started = clock.now
    response = Client().post("/login/", {"username": username, "password": "not the password"}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    return clock.now - started


def test_unknown_user_wrong_password_and_slow_bcrypt_cost_the_same(members, clock):
    who_all = ("nobody-at-all", "argon2member", "bcryptmember")
    for who in who_all:  # once per process, a legacy hasher measures argon2id: not part of a login's cost
        login_cost(clock, who, "198.51.100.9")
    costs = {who: [login_cost(clock, who, f"198.51.100.{10 + n}") for n in range(3)] for who in who_all}
    flat = [cost for series in costs.values() for cost in series]
    assert min(flat) >= BCRYPT_8 * 2 ** 4  # every failure lasts at least the slowest format's check
    assert max(flat) / min(flat) <= 1.25, costs


def test_without_slow_hashes_a_failure_costs_one_argon2(db, clock):
    get_user_model().objects.create_user("argon2member", "a@members.example", PASSWORD)
    cost = login_cost(clock, "nobody-at-all", "198.51.100.30")
    assert cost == pytest.approx(ARGON2 * 1, rel=0.05)


def test_the_new_link_mail_leaves_after_the_response(member, monkeypatch):
    resets.require_reset([member.pk], mode="compromised", reason="breach", notify=False)
    sent_inside = []
    original = outbox.send_now

    def watching(rows):
        sent_inside.append(deferred._queue.get() is not None)  # a list while the view runs
        return original(rows)

    monkeypatch.setattr(outbox, "send_now", watching)
    Client().post("/security/reset/new-link/", {"email": member.email})
    assert sent_inside == [False]
