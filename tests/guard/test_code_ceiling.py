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


def test_days_of_guessing_from_endless_networks_stay_within_nist_limits(staff_user, staff_totp, frozen, store,
                                                                        checked, settings):
    """NIST SP 800-63B-4: no more than 100 consecutive failed attempts on one account."""
    elapsed, n, first_day = 0, 0, None
    while elapsed < 5 * 86400 and n < 600:  # bounded: without the rule nothing ever waits
        n += 1
        response = try_code(wrong_code(staff_totp), network(1000 + n))
        wait = int(response["Retry-After"]) if response.status_code == 429 else 1
        frozen.advance(seconds=wait)
        elapsed += wait
        if first_day is None and elapsed >= 86400:
            first_day = len(checked)
    print(f"codes checked: {first_day} in the first 24 h, {len(checked)} in 5 days")
    assert 20 < first_day <= 60, first_day  # about 48: 20, then one per doubling delay up to an hour
    assert len(checked) == 100  # then locked, whatever the network


def test_the_lock_at_100_spares_known_browsers_and_a_reset_lifts_it(staff_user, staff_totp, frozen, store, checked,
                                                                    settings):
    from secure_shopadmin.lockout import services

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_OTP_ACCOUNT_LOCK_AFTER": 22,
                                 "LOCKOUT_OTP_ACCOUNT_DELAY_BASE": 1}
    for n in range(22):
        try_code(wrong_code(staff_totp), network(500 + n))
        frozen.advance(seconds=5)
    frozen.advance(hours=30)
    assert try_code(wrong_code(staff_totp), network(600)).status_code == 429  # locked, not forgotten
    services.lift_account_locks(staff_user, reason="password reset completed")
    assert try_code(wrong_code(staff_totp), network(601)).status_code == 200  # a completed reset lifts it


def test_the_lock_spares_the_owners_browser(staff_user, staff_totp, frozen, store, checked, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_OTP_ACCOUNT_LOCK_AFTER": 22,
                                 "LOCKOUT_OTP_ACCOUNT_DELAY_BASE": 1}
    owner = Client()
    assert try_code(staff_totp.now(), "198.51.100.20", owner).status_code == 302
    owner.post("/admin/logout/")
    for n in range(22):
        try_code(wrong_code(staff_totp), network(300 + n))
        frozen.advance(seconds=5)
    assert len(checked) == 23  # the owner's right code and 22 wrong ones
    frozen.advance(hours=30)
    refused = try_code(wrong_code(staff_totp), network(400))
    assert refused.status_code == 429 and len(checked) == 23  # still locked a day later
    next_code = staff_totp.at(time.time() + 30)
    assert try_code(next_code, "198.51.100.20", owner).status_code == 302  # the owner's browser passes
    assert try_code(wrong_code(staff_totp), network(401)).status_code == 200  # the login started a new count
