"""Each rule locks exactly at its limit and lifts after its cool-off (a frozen clock, never sleeps).

Every test runs twice: counters in database rows, and in the shared cache (Redis)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.lockout.models import Counter

from ..conftest import STAFF_PASSWORD
from .conftest import attempt, guard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor", "store")]
ATTACKER, VICTIM = "198.51.100.66", "192.0.2.10"


def refused(response):
    return response.status_code == 429 and int(response["Retry-After"]) > 0


def test_pair_locks_at_five_and_lifts_after_fifteen_minutes(staff_user, frozen, hasher_calls):
    hasher_calls.clear()
    responses = [attempt("clerk", "wrong", ip_address=ATTACKER) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]  # the 5th failure locks
    assert len(hasher_calls) == 5
    locked = attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER)
    assert refused(locked) and len(hasher_calls) == 5  # refused before any hash, even the right password
    assert 890 <= int(locked["Retry-After"]) <= 900
    frozen.advance(minutes=14, seconds=59)
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER))
    frozen.advance(seconds=1)
    assert attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER).status_code == 302
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKOUT, details__rule="pair").count() == 1


def test_pair_cooloff_grows_per_repeat_and_is_never_permanent(staff_user, frozen, settings):
    guard(settings, ACCOUNT_DELAY_AFTER=1000)  # only the pair rule in play
    for expected in (900, 3600, 21600, 21600):
        for _ in range(5):
            last = attempt("clerk", "wrong", ip_address=ATTACKER)
        assert refused(last) and int(last["Retry-After"]) == expected
        frozen.advance(seconds=expected)


def test_failure_during_lock_does_not_restart_cooloff(staff_user, frozen):
    for _ in range(5):
        attempt("clerk", "wrong", ip_address=ATTACKER)
    frozen.advance(minutes=10)
    assert int(attempt("clerk", "wrong", ip_address=ATTACKER)["Retry-After"]) == 300
    frozen.advance(minutes=5)
    assert attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER).status_code == 302


def test_victim_logs_in_from_another_ip_while_attackers_pair_is_locked(staff_user, frozen):
    for _ in range(5):
        attempt("clerk", "wrong", ip_address=ATTACKER)
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER))
    client = Client()
    assert attempt("clerk", STAFF_PASSWORD, client=client, ip_address=VICTIM).status_code == 302
    assert SESSION_KEY in client.session
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER))  # the attacker's pair stays locked


def test_ip_locks_after_twenty_failures_in_ten_minutes_across_usernames(db, staff_user, frozen, hasher_calls):
    hasher_calls.clear()
    for n in range(19):
        assert attempt(f"user{n}", "wrong", ip_address=ATTACKER).status_code == 200
    assert refused(attempt("user19", "wrong", ip_address=ATTACKER))  # the 20th locks the IP
    assert len(hasher_calls) == 20
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=ATTACKER)) and len(hasher_calls) == 20
    assert attempt("clerk", STAFF_PASSWORD, ip_address=VICTIM).status_code == 302
    frozen.advance(minutes=15)
    assert attempt("someone", "wrong", ip_address=ATTACKER).status_code == 200


def test_ip_window_restarts_after_ten_minutes(db, frozen):
    for n in range(19):
        attempt(f"user{n}", "wrong", ip_address=ATTACKER)
    frozen.advance(minutes=10)
    for n in range(19):
        assert attempt(f"other{n}", "wrong", ip_address=ATTACKER).status_code == 200


def test_ipv6_is_counted_per_64(db, frozen):
    for n in range(19):
        attempt(f"user{n}", "wrong", ip_address=f"2001:db8:1:2::{n + 1:x}")
    assert refused(attempt("user19", "wrong", ip_address="2001:db8:1:2:ffff::1"))
    assert attempt("user20", "wrong", ip_address="2001:db8:1:3::1").status_code == 200


def spread(n):
    return f"10.{n // 250}.{n % 250}.1"


def test_account_delay_from_ten_failures_doubles_and_is_answered_429(staff_user, frozen, hasher_calls):
    hasher_calls.clear()
    for n in range(10):
        assert attempt("clerk", "wrong", ip_address=spread(n)).status_code == 200
    assert len(hasher_calls) == 10
    delayed = attempt("clerk", STAFF_PASSWORD, ip_address=spread(10))
    assert refused(delayed) and int(delayed["Retry-After"]) == 30 and len(hasher_calls) == 10
    frozen.advance(seconds=30)
    assert attempt("clerk", "wrong", ip_address=spread(11)).status_code == 200  # 11th failure: 60 s
    assert int(attempt("clerk", "x", ip_address=spread(12))["Retry-After"]) == 60
    frozen.advance(seconds=60)
    attempt("clerk", "wrong", ip_address=spread(13))  # 12th: 120 s
    assert int(attempt("clerk", "x", ip_address=spread(14))["Retry-After"]) == 120
    for n in range(15, 25):  # the delay stops doubling at 15 minutes
        frozen.advance(seconds=900)
        attempt("clerk", "wrong", ip_address=spread(n))
    assert int(attempt("clerk", "x", ip_address=spread(30))["Retry-After"]) == 900


def test_known_browser_is_exempt_from_the_account_delay_not_from_pair_locks(staff_user, frozen):
    browser = Client()
    assert attempt("clerk", STAFF_PASSWORD, client=browser, ip_address=VICTIM).status_code == 302  # learns it
    browser.post("/admin/logout/")
    for n in range(10):
        attempt("clerk", "wrong", ip_address=spread(n))
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=spread(50)))
    assert attempt("clerk", STAFF_PASSWORD, client=browser, ip_address=VICTIM).status_code == 302
    browser.post("/admin/logout/")
    for _ in range(5):
        attempt("clerk", "wrong", client=browser, ip_address=ATTACKER)
    assert refused(attempt("clerk", STAFF_PASSWORD, client=browser, ip_address=ATTACKER))


def test_account_locks_at_its_ceiling_until_unlocked(staff_user, frozen, settings, mailoutbox):
    guard(settings, ACCOUNT_LOCK_AFTER=12)
    for n in range(12):
        frozen.advance(seconds=900)
        last = attempt("clerk", "wrong", ip_address=spread(n))
    assert refused(last)
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKOUT, details__rule="account").count() == 1
    assert len(mailoutbox) == 1 and "/security/unlock/" in mailoutbox[0].body
    frozen.advance(days=3)
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=VICTIM))  # no cool-off: only an unlock


def test_account_lock_at_one_hundred_by_default(staff_user, frozen, mailoutbox):
    for n in range(99):
        frozen.advance(seconds=900)
        assert attempt("clerk", "wrong", ip_address=spread(n)).status_code == 200
    frozen.advance(seconds=900)
    assert refused(attempt("clerk", "wrong", ip_address=spread(99)))
    frozen.advance(seconds=900)
    assert refused(attempt("clerk", STAFF_PASSWORD, ip_address=spread(100)))
    assert len(mailoutbox) == 1


def test_unknown_and_known_usernames_are_refused_alike(staff_user, frozen):
    for name in ("clerk", "nobody"):
        for _ in range(5):
            attempt(name, "wrong", ip_address=ATTACKER if name == "clerk" else VICTIM)
    a = attempt("clerk", "x", ip_address=ATTACKER)
    b = attempt("nobody", "x", ip_address=VICTIM)
    assert a.status_code == b.status_code == 429
    assert a["Retry-After"] == b["Retry-After"]
    assert a.content == b.content


def test_usernames_are_normalised_before_counting(staff_user, frozen):
    for spelling in ("clerk", "Clerk", " CLERK ", "ｃｌｅｒｋ", "clerk"):
        last = attempt(spelling, "wrong", ip_address=ATTACKER)
    assert refused(last)
    assert set(Counter.objects.filter(rule="pair").values_list("username", flat=True)) == {"clerk"}


def test_success_clears_counters_but_the_password_alone_does_not(staff_user, staff_totp, frozen, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN,
                                 "TWO_FACTOR_POLICY": {"staff": True, "superusers": True, "members": False}}
    for _ in range(4):
        attempt("clerk", "wrong", ip_address=ATTACKER)
    client = Client()
    assert attempt("clerk", STAFF_PASSWORD, client=client, ip_address=ATTACKER).status_code == 302  # to the code
    assert refused(attempt("clerk", "wrong", ip_address=ATTACKER))  # the password alone cleared nothing
    frozen.advance(minutes=15)
    for _ in range(4):
        attempt("clerk", "wrong", ip_address=ATTACKER)
    client = Client()
    attempt("clerk", STAFF_PASSWORD, client=client, ip_address=ATTACKER)
    client.post("/security/2fa/verify/", {"otp_token": staff_totp.now()}, REMOTE_ADDR=ATTACKER)
    assert SESSION_KEY in client.session
    for _ in range(4):  # the whole pipeline cleared the pair: four more may fail without a lock
        assert attempt("clerk", "wrong", ip_address=ATTACKER).status_code == 200


def test_both_counter_stores_implement_the_one_interface():
    import inspect

    from secure_shopadmin.lockout import store_cache, store_db
    from secure_shopadmin.lockout.reservations import CounterStore

    wanted = {name: inspect.signature(getattr(CounterStore, name)) for name in dir(CounterStore)
              if not name.startswith("_")}
    assert wanted, "the interface names its methods"
    for store in (store_db, store_cache):
        for name, signature in wanted.items():
            implemented = inspect.signature(getattr(store, name))
            assert list(implemented.parameters) == [p for p in signature.parameters if p != "self"], (store, name)


def test_the_failure_counts_name_each_password_rule(db, frozen):
    """What axes' ``get_failures`` reads: the pair's, the IP's (in its window) and the account's counts."""
    from secure_shopadmin.lockout import services

    for username in ("mallory", "trent", "mallory"):
        attempt(username, "wrong", ip_address=ATTACKER)
    assert services.store().failures("mallory", ATTACKER) == {"pair": 2, "ip": 3, "account": 2}
    assert services.store().failures("trent", VICTIM) == {"account": 1}
