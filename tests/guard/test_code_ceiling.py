"""An account-wide ceiling on wrong codes across networks: an attacker with the password and many
networks gets a doubling delay after LOCKOUT_OTP_ACCOUNT_DELAY_AFTER wrong codes in 24 hours (429 with
Retry-After), the user and the security contacts are told the password is known, and a browser that
completed a login of the account before is exempt (the owner is never locked out by it)."""

import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin.twofactor import codes

from ..conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db
VERIFY = reverse("secure_shopadmin:twofactor_verify")


def network(n):
    return f"2001:db8:{n:x}::1"  # a /64 of its own each (one /48 holds 65,536 of them)


def wrong_code(staff_totp):
    return "000000" if staff_totp.now() != "000000" else "111111"


def try_code(code, ip, client=None):
    client = client or Client()
    login = client.post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD}, REMOTE_ADDR=ip)
    if login.status_code != 302 or login.url != VERIFY:
        return login
    return client.post(VERIFY, {"otp_token": code}, REMOTE_ADDR=ip)


@pytest.fixture
def checked(monkeypatch):
    seen = []
    original = codes.verify_totp

    def counting(device, token):
        seen.append(token)
        return original(device, token)

    monkeypatch.setattr(codes, "verify_totp", counting)
    return seen


def spend_ceiling(staff_totp, start=0):
    """20 wrong codes, 4 per network (below the per-network budget of 5)."""
    for n in range(20):
        assert try_code(wrong_code(staff_totp), network(start + n // 4)).status_code == 200


def test_the_ceiling_slows_codes_from_every_network_and_says_so(staff_user, staff_totp, frozen, store, checked,
                                                                settings):
    spend_ceiling(staff_totp)
    assert len(checked) == 20
    told = [m for m in mail.outbox if "known to someone else" in m.subject]
    assert {tuple(m.to) for m in told} == {("clerk@shop.example",), ("security@shop.example",)}
    refused = try_code(wrong_code(staff_totp), network(100))  # a fresh network: still refused
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert len(checked) == 20  # refused before any code was checked
    frozen.advance(seconds=61)
    assert try_code(wrong_code(staff_totp), network(101)).status_code == 200  # one try per delay
    second = try_code(wrong_code(staff_totp), network(102))
    assert second.status_code == 429 and 60 < int(second["Retry-After"]) <= 120  # the delay doubles
    assert len(checked) == 21


def test_a_browser_that_logged_in_before_is_exempt(staff_user, staff_totp, frozen, store, checked):
    owner = Client()
    assert try_code(staff_totp.now(), "198.51.100.20", owner).status_code == 302  # a completed login
    owner.post("/admin/logout/")
    frozen.advance(seconds=31)
    spend_ceiling(staff_totp, start=10)
    assert try_code(wrong_code(staff_totp), network(200)).status_code == 429
    frozen.advance(seconds=31)
    next_code = staff_totp.at(time.time() + 30)  # the step after (tolerance 1): the first one is spent
    assert try_code(next_code, "198.51.100.20", owner).status_code == 302  # the owner's browser


def test_a_right_code_gives_its_slot_back(staff_user, staff_totp, frozen, store):
    for n in range(19):
        try_code(wrong_code(staff_totp), network(n // 4))
    frozen.advance(seconds=31)
    assert try_code(staff_totp.now(), network(50)).status_code == 302
    assert not [m for m in mail.outbox if "known to someone else" in m.subject]


def test_a_day_of_guessing_from_endless_networks_stays_within_nist_limits(staff_user, staff_totp, frozen, store,
                                                                          checked, settings):
    """NIST SP 800-63B-4: no more than 100 consecutive failed attempts on one account."""
    elapsed, n = 0, 0
    while elapsed < 86400 and n < 400:  # bounded: without the ceiling nothing ever waits
        n += 1
        response = try_code(wrong_code(staff_totp), network(1000 + n))
        if response.status_code == 429:
            wait = int(response["Retry-After"])
            frozen.advance(seconds=wait)
            elapsed += wait
        else:
            frozen.advance(seconds=1)
            elapsed += 1
    print(f"codes checked in 24 h: {len(checked)}")
    assert 20 < len(checked) <= 100, len(checked)
