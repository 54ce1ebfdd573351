"""The database store's one statement per reservation (``lockout/store_sql.py``): it counts as the row-lock
path counts, its text is built once per rule set and settings, and it stays short enough for the driver's
statement cache."""

import random
import re
from pathlib import Path

import pytest
from django.db import connection

from secure_shopadmin.lockout import clock, rules, store_db, store_sql
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.lockout.reservations import Subject

from .conftest import guard

pytestmark = pytest.mark.django_db

ADDRESSES = ("203.0.113.7", "198.51.100.9")
USERS = ("clerk", "owner", "member")
needs_statement = pytest.mark.skipif(not store_sql.supported(connection), reason="this database takes the row locks")


def outcome(reservation):
    return (reservation.retry_after, reservation.refused_by, tuple(reservation.new_locks),
            reservation.lock_retry_after, reservation.prior_failures, reservation.via_pass)


def replay(steps, frozen):
    """Run ``steps`` from an empty table; the outcome of each attempt and the rows left."""
    frozen.moment = frozen.start
    Counter.objects.all().delete()
    outcomes = []
    for kind, username, address, right, wait, known in steps:
        frozen.advance(seconds=wait)
        subject = Subject(username, address, known_device=lambda known=known: known)
        reserve = store_db.reserve_password if kind == "password" else store_db.reserve_otp
        reservation = reserve(subject)
        if right and not reservation.refused:
            store_db.release(reservation)
        outcomes.append(outcome(reservation))
    rows = sorted(Counter.objects.values_list("rule", "username", "ip", "failures", "locked_until",
                                              "delayed_until", "level", "window_started_at"))
    return outcomes, rows


@needs_statement
@pytest.mark.parametrize("seed", range(3))
def test_the_statement_and_the_row_locks_count_alike(frozen, settings, monkeypatch, seed):
    guard(settings, PAIR_LIMIT=3, PAIR_COOLOFFS=(60, 120, 600), IP_LIMIT=6, IP_WINDOW=300, IP_COOLOFF=90,
          ACCOUNT_DELAY_AFTER=5, ACCOUNT_DELAY_BASE=20, ACCOUNT_DELAY_MAX=70, ACCOUNT_LOCK_AFTER=11,
          ACCOUNT_FORGET_AFTER=900, OTP_LIMIT=3, OTP_WINDOW=120, OTP_ACCOUNT_DELAY_AFTER=4,
          OTP_ACCOUNT_DELAY_BASE=30, OTP_ACCOUNT_LOCK_AFTER=7, OTP_ACCOUNT_WINDOW=1200)
    frozen.start = frozen.moment
    chance = random.Random(seed)
    steps = []
    while len(steps) < 300:  # bursts of one kind from one account and address, as floods come
        kind, username, address = (chance.choice(("password", "password", "otp")), chance.choice(USERS),
                                   chance.choice(ADDRESSES))
        known = chance.random() < 0.2
        steps += [(kind, username, address, chance.random() < 0.1, chance.choice((0, 0, 1, 5, 30)), known)
                  for _ in range(chance.randint(1, 8))]
        steps[-1] = (*steps[-1][:4], chance.choice((0, 60, 200, 1000)), known)
    by_statement = replay(steps, frozen)
    monkeypatch.setattr(store_sql, "supported", lambda connection: False)
    by_row_locks = replay(steps, frozen)
    assert by_statement == by_row_locks
    refusals = {rule for result in by_statement[0] for rule in result[1]}
    assert refusals >= {rules.IP, rules.PAIR, rules.ACCOUNT, rules.OTP}, "the steps reach every limit"


@needs_statement
def test_a_rule_sets_text_is_built_once_and_again_when_its_settings_change(frozen, settings, monkeypatch):
    built = []
    build = store_sql._reservation_text
    monkeypatch.setattr(store_sql, "_reservation_text", lambda *args: built.append(args[1:]) or build(*args))
    monkeypatch.setattr(store_sql, "_kept", {})
    for username in USERS:
        store_db.reserve_password(Subject(username, ADDRESSES[0]))
        frozen.advance(seconds=30)
    assert built == [((rules.PAIR, rules.IP, rules.ACCOUNT), "")]
    guard(settings, IP_LIMIT=7)
    store_db.reserve_password(Subject("clerk", ADDRESSES[1]))
    assert len(built) == 2
    settings.AXES_FAILURE_LIMIT = 4
    guard(settings, PAIR_LIMIT=None)  # axes' limit then counts
    store_db.reserve_password(Subject("clerk", ADDRESSES[1]))
    assert len(built) == 3


def test_every_setting_the_arithmetic_reads_shapes_the_kept_text():
    """A setting read while building the statement but missing from the key would leave a stale text."""
    package = Path(store_sql.__file__).parent
    read = set()
    for module in ("store_sql.py", "rules.py"):
        read |= set(re.findall(r"app_settings\.(LOCKOUT_\w+)", (package / module).read_text()))
    read -= {"LOCKOUT_PAIR_LIMIT"}  # through pair_limit(), with axes' limit
    read -= {"LOCKOUT_ACCOUNT_LOCK_RETRY_AFTER"}  # the retry of an unlock-only lock, never in SQL
    assert read <= set(rules.ARITHMETIC_SETTINGS)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's statement cache")
def test_each_statement_fits_the_drivers_statement_cache(frozen):
    from psycopg import _queries

    subject = Subject("clerk", ADDRESSES[0])
    now = clock.now()
    for keys in (store_db.password_keys(subject), store_db.otp_keys(subject)):
        fresh = [{column: None for column in store_sql.COLUMNS} for _key in keys]
        text, params = store_sql.reservation_statement(connection, keys, fresh, now)
        assert len(text) <= _queries.MAX_CACHED_STATEMENT_LENGTH, (keys, len(text))
        assert len(params) <= _queries.MAX_CACHED_STATEMENT_PARAMS, (keys, len(params))
    reservation = store_db.reserve_password(subject)
    text, params = store_sql.settle_statement(connection, reservation.undo, store_db.clear_keys("clerk", subject.ip))
    assert len(text) <= _queries.MAX_CACHED_STATEMENT_LENGTH and len(params) <= _queries.MAX_CACHED_STATEMENT_PARAMS
