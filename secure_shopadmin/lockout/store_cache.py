"""Counters in a shared cache (``LOCKOUT_CACHE``, e.g. Redis): atomic ``add`` and ``incr``, no row locks.

Every attempt first increments its counters, then checks them: an increment past a limit is taken
back and refused, so however many attempts run at once, at most *limit* slots are handed out.
A lock is written before the count it ends is removed, and every attempt re-reads the locks after
incrementing, so an attempt cannot slip between the two. The account's delay is a *gate* key that
only one attempt can create (``add``) per delay. Locks are mirrored into database rows (rare
writes) so the admin can list and lift them.

Times (a lock's end, the gate, a window's start) are integer milliseconds since the epoch, so that
the one-round-trip script of :mod:`.store_redis` reads the keys this path writes and the other way
round; that script takes the slot whenever nothing but counting is due, and this path runs
otherwise. A float (seconds) left by an earlier version is read as such.
"""

import functools
from datetime import UTC, datetime, timedelta

from django.core.cache import caches

from ..conf import app_settings
from . import clock, keys, rules, store_db, store_redis
from .reservations import Reservation

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)
#: the stored end of a lock that only an unlock lifts
FOREVER = (rules.UNTIL_UNLOCKED - EPOCH) // MS


def _cache():
    return caches[app_settings.LOCKOUT_CACHE]


def _now_ms():
    return (clock.now() - EPOCH) // MS


def _ms(value):
    """A stored time as integer milliseconds (a float is a time in seconds from before), or None."""
    if value is None or isinstance(value, int):
        return value
    return int(value * 1000)


@functools.lru_cache(maxsize=4096)
def _base(counter):
    return keys.cache_key(*counter, "")


def _key(counter, field):
    return _base(counter) + field  # the same as keys.cache_key(*counter, field), hashed once per counter


def _incr(cache, key, ttl, sliding):
    cache.add(key, 0, ttl)
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, ttl)
        value = cache.incr(key)
    if sliding:
        cache.touch(key, ttl)
    return value


def _window_counter(cache, counter, ts, window):
    """The count key of ``counter``'s current window, a window that starts at its first failure.

    Time is compared with the guard's clock, never left to the cache's expiry (which only collects
    garbage): when a window has run out, the attempts that notice it all read the new start from
    one ``add`` keyed by the old start, so they agree on it.
    """
    start_key = _key(counter, "start")
    start = _ms(cache.get(start_key))
    if start is None or ts - start >= window * 1000:
        roll_key = _key(counter, f"roll:{start or 0}")
        cache.add(roll_key, ts, window * 2 + 60)
        start = _ms(cache.get(roll_key, ts))
        cache.set(start_key, start, window * 2 + 60)
    return _key(counter, f"n:{start}")


def _active(value, ts):
    return value is not None and _ms(value) > ts


def _retry(value, now):
    """Whole seconds (at least 1) from ``now`` to the stored time ``value`` (milliseconds both)."""
    value = _ms(value)
    if value >= FOREVER:
        return int(app_settings.LOCKOUT_ACCOUNT_LOCK_RETRY_AFTER)
    return max(1, -((now - value) // 1000))


def _as_datetime(ts):
    return rules.UNTIL_UNLOCKED if ts >= FOREVER else EPOCH + ts * MS


def _counters(subject):
    return (rules.PAIR, subject.username, subject.ip), (rules.IP, "", subject.ip), (rules.ACCOUNT, subject.username, "")


def _lock_keys(pair, ip_c, acct):
    return [_key(pair, "lock"), _key(ip_c, "lock"), _key(acct, "lock"), _key(acct, "gate")]


def refusals_write():
    """A refused reservation increments and takes back: a client that can claim no exemption is peeked at first."""
    return True


def peek_password(subject):
    now = _now_ms()
    pair, ip_c, acct = _counters(subject)
    values = _cache().get_many(_lock_keys(pair, ip_c, acct))
    locks = [values.get(_key(c, "lock")) for c in (ip_c, pair, acct)]
    active = [v for v in locks if _active(v, now)]
    return max((_retry(v, now) for v in active), default=0)


def reserve_password(subject):
    cache = _cache()
    ts = now = _now_ms()
    pair, ip_c, acct = _counters(subject)
    reservation = Reservation("password", subject)
    if _reserve_password_at_once(cache, reservation, now):
        return reservation
    values = cache.get_many(_lock_keys(pair, ip_c, acct))
    retry, refused_by, via_pass = rules.password_refusal(
        subject, ip_lock=values.get(_key(ip_c, "lock")), pair_lock=values.get(_key(pair, "lock")),
        account_lock=values.get(_key(acct, "lock")), delayed_until=values.get(_key(acct, "gate")),
        active=lambda value: _active(value, ts), retry=lambda value: _retry(value, now))
    if retry:
        reservation.retry_after, reservation.refused_by = retry, refused_by
        return reservation
    taken = [_window_counter(cache, ip_c, ts, app_settings.LOCKOUT_IP_WINDOW)]
    ip_n = _incr(cache, taken[0], app_settings.LOCKOUT_IP_WINDOW * 2 + 60, False)
    pair_n = acct_n = 0
    if not via_pass:
        taken += [_key(pair, "n"), _key(acct, "n")]
        pair_n = _incr(cache, taken[1], app_settings.LOCKOUT_PAIR_FORGET_AFTER, True)
        acct_n = _incr(cache, taken[2], app_settings.LOCKOUT_ACCOUNT_FORGET_AFTER, True)
        reservation.prior_failures = max(acct_n - 1, 0)
    values = cache.get_many([_key(pair, "lock"), _key(ip_c, "lock"), _key(acct, "lock")])
    over = ip_n > app_settings.LOCKOUT_IP_LIMIT or _active(values.get(_key(ip_c, "lock")), ts)
    if not via_pass:
        over = over or pair_n > rules.pair_limit() or any(
            _active(values.get(_key(c, "lock")), ts) for c in (pair, acct))
    if not over and not via_pass and rules.account_delay(acct_n) is not None:
        over = not _pass_gate(cache, reservation, subject, acct, acct_n, ts, values)
    if over:
        for key in taken:
            _decr(cache, key)
        active = [v for v in values.values() if _active(v, ts)]
        reservation.retry_after = max((_retry(v, now) for v in active), default=1)
        reservation.refused_by = ("limit",)
        return reservation
    reservation.via_pass = via_pass
    reservation.undo["decr"] = list(taken)
    if ip_n == app_settings.LOCKOUT_IP_LIMIT:
        cooloff = app_settings.LOCKOUT_IP_COOLOFF
        _lock(cache, reservation, ip_c, ts + cooloff * 1000, cooloff, count=ip_n)
    if not via_pass and pair_n == rules.pair_limit():
        level = _incr(cache, _key(pair, "lvl"), app_settings.LOCKOUT_PAIR_FORGET_AFTER, True)
        reservation.undo.setdefault("lvl", []).append(_key(pair, "lvl"))
        seconds = int(rules.pair_cooloff(level).total_seconds())
        _lock(cache, reservation, pair, ts + seconds * 1000, seconds, level, count=pair_n)
    if not via_pass and acct_n == app_settings.LOCKOUT_ACCOUNT_LOCK_AFTER:
        _lock(cache, reservation, acct, FOREVER, None)
    return reservation


def _reserve_password_at_once(cache, reservation, now):
    """The script's one round trip (:mod:`.store_redis`), when nothing but counting is due; False if not taken."""
    pair, ip_c, acct = _counters(reservation.subject)
    window = app_settings.LOCKOUT_IP_WINDOW
    first_account_event = min(app_settings.LOCKOUT_ACCOUNT_DELAY_AFTER, app_settings.LOCKOUT_ACCOUNT_LOCK_AFTER)
    taken = store_redis.reserve(
        cache, now, _lock_keys(pair, ip_c, acct),
        (_key(ip_c, "n:"), _key(ip_c, "roll:"), _key(ip_c, "start"), window, app_settings.LOCKOUT_IP_LIMIT),
        [(_key(pair, "n"), rules.pair_limit(), app_settings.LOCKOUT_PAIR_FORGET_AFTER),
         (_key(acct, "n"), first_account_event, app_settings.LOCKOUT_ACCOUNT_FORGET_AFTER)])
    if taken is None:
        return False
    start, (_ip_n, _pair_n, acct_n) = taken
    reservation.undo["decr"] = [_key(ip_c, f"n:{start}"), _key(pair, "n"), _key(acct, "n")]
    reservation.prior_failures = max(acct_n - 1, 0)
    return True


def _pass_gate(cache, reservation, subject, acct, acct_n, ts, values):
    """In the account's delay, one attempt at a time may pass the gate and close it for the next delay.

    A short mutex makes read-compare-write atomic; an attempt that finds it taken is refused, as
    only one attempt per delay may pass anyway.
    """
    mutex = _key(acct, "mutex")
    if not cache.add(mutex, 1, 10):
        values[mutex] = ts + 1000
        return False
    try:
        gate_key = _key(acct, "gate")
        gate = cache.get(gate_key)
        if _active(gate, ts) and not subject.known_device():
            values[gate_key] = gate
            return False
        delay = int(rules.account_delay(acct_n).total_seconds())
        cache.set(gate_key, ts + delay * 1000, delay + 60)
        reservation.undo["gate"] = (gate_key, gate)
        return True
    finally:
        cache.delete(mutex)


def _lock(cache, reservation, counter, until, seconds, level=0, count=0):
    cache.set(_key(counter, "lock"), until, seconds)
    if counter[0] != rules.ACCOUNT:
        count_key = next(k for k in reservation.undo["decr"] if k.startswith(_key(counter, "n")))
        cache.delete(count_key)  # a lock that runs out starts a new count
        reservation.undo["decr"].remove(count_key)
        reservation.undo.setdefault("restore", []).append((count_key, count - 1))
    reservation.undo.setdefault("delete", []).append(_key(counter, "lock"))
    reservation.undo.setdefault("mirrored", []).append(counter)
    reservation.new_locks.append(counter[0])
    reservation.lock_retry_after = max(reservation.lock_retry_after, _retry(until, _now_ms()))
    store_db.mirror_lock(*counter, _as_datetime(until), level)


def _decr(cache, key):
    try:
        if cache.decr(key) < 0:
            cache.set(key, 0)
    except ValueError:
        pass


def peek_otp(subject):
    now = _now_ms()
    value = _cache().get(_key((rules.OTP, subject.username, subject.ip), "lock"))
    return _retry(value, now) if _active(value, now) else 0


def reserve_otp(subject):
    cache = _cache()
    ts = now = _now_ms()
    counter = (rules.OTP, subject.username, subject.ip)
    reservation = Reservation("otp", subject)
    if _reserve_otp_at_once(cache, reservation, now):
        return reservation
    lock = cache.get(_key(counter, "lock"))
    if _active(lock, ts):
        reservation.retry_after, reservation.refused_by = _retry(lock, now), (rules.OTP,)
        return reservation
    account = (rules.OTP_ACCOUNT, subject.username, "")
    values = cache.get_many([_key(account, "gate"), _key(account, "lock")])
    gate = values.get(_key(account, "gate"))
    waits = [v for v in values.values() if _active(v, ts)]
    if waits and not subject.known_device():
        reservation.retry_after, reservation.refused_by = max(_retry(v, now) for v in waits), (rules.OTP_ACCOUNT,)
        return reservation
    window = app_settings.LOCKOUT_OTP_WINDOW
    count_key = _window_counter(cache, counter, ts, window)
    n = _incr(cache, count_key, window * 2 + 60, False)
    lock = cache.get(_key(counter, "lock"))
    if n > app_settings.LOCKOUT_OTP_LIMIT or _active(lock, ts):
        _decr(cache, count_key)
        reservation.retry_after = _retry(lock, now) if _active(lock, ts) else 1
        reservation.refused_by = (rules.OTP,)
        return reservation
    reservation.undo["decr"] = [count_key]
    if not _count_account_code(cache, reservation, subject, account, gate, ts):
        _decr(cache, count_key)
        reservation.undo["decr"] = []
        reservation.retry_after, reservation.refused_by = 1, (rules.OTP_ACCOUNT,)
        return reservation
    if n == app_settings.LOCKOUT_OTP_LIMIT:
        _lock(cache, reservation, counter, ts + window * 1000, window, count=n)
    return reservation


def _reserve_otp_at_once(cache, reservation, now):
    """The code budget's slot in the script's one round trip, when nothing but counting is due."""
    counter = (rules.OTP, reservation.subject.username, reservation.subject.ip)
    account = (rules.OTP_ACCOUNT, reservation.subject.username, "")
    window = app_settings.LOCKOUT_OTP_WINDOW
    first_account_event = min(app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER,
                              app_settings.LOCKOUT_OTP_ACCOUNT_LOCK_AFTER)
    taken = store_redis.reserve(
        cache, now, [_key(counter, "lock"), _key(account, "gate"), _key(account, "lock")],
        (_key(counter, "n:"), _key(counter, "roll:"), _key(counter, "start"), window, app_settings.LOCKOUT_OTP_LIMIT),
        [(_key(account, "n"), first_account_event, app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW)])
    if taken is None:
        return False
    reservation.undo["decr"] = [_key(counter, f"n:{taken[0]}"), _key(account, "n")]
    return True


def _count_account_code(cache, reservation, subject, account, gate, ts):
    """Count one consecutive wrong code of the account (any network; forgotten after
    LOCKOUT_OTP_ACCOUNT_WINDOW without one); past the ceiling only one attempt per delay passes (an
    ``add`` on a key named after the gate it found), except from a known browser."""
    count_key = _key(account, "n")
    n = _incr(cache, count_key, app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW, True)
    delay = rules.otp_account_delay(n)
    if delay is not None and n > app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER and not subject.known_device():
        if not cache.add(_key(account, f"turn:{gate}"), 1, int(delay.total_seconds()) + 60):
            _decr(cache, count_key)  # another attempt took this delay's turn
            return False
    reservation.undo["decr"].append(count_key)
    if delay is not None:
        seconds = int(delay.total_seconds())
        cache.set(_key(account, "gate"), ts + seconds * 1000, seconds + 60)
        reservation.undo["gate"] = (_key(account, "gate"), gate)
    if n == app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER:
        reservation.new_locks.append(rules.OTP_ACCOUNT)
    if n == app_settings.LOCKOUT_OTP_ACCOUNT_LOCK_AFTER:
        cache.set(_key(account, "lock"), FOREVER, None)
        reservation.undo.setdefault("delete", []).append(_key(account, "lock"))
        if rules.OTP_ACCOUNT not in reservation.new_locks:
            reservation.new_locks.append(rules.OTP_ACCOUNT)
        store_db.mirror_lock(*account, rules.UNTIL_UNLOCKED)
        reservation.undo.setdefault("mirrored", []).append(account)
    return True


def release(reservation):
    _give_back(_cache(), reservation.undo, ())


def _give_back(cache, undo, deletions):
    """Undo a slot: counts its lock removed come back before anything else, then the gate; decrements
    and deletions (the locks it set, and ``deletions``) are one round trip on Redis."""
    for key, count in undo.get("restore", ()):
        if count > 0:  # the count this slot's lock had removed, less the slot itself
            cache.add(key, 0, 2 * 86400)
            cache.incr(key, count)
    if undo.get("gate"):
        gate_key, before = undo["gate"]
        if before is None:
            cache.delete(gate_key)
        else:
            cache.set(gate_key, before, max(1, (_ms(before) - _now_ms()) // 1000 + 60))
    decrements = [*undo.get("decr", ()), *undo.get("lvl", ())]
    deletions = [*undo.get("delete", ()), *deletions]
    if not store_redis.settle(cache, decrements, deletions):
        for key in decrements:
            _decr(cache, key)
        if deletions:
            cache.delete_many(deletions)
    for counter in undo.get("mirrored", ()):
        store_db.Counter.objects.filter(rule=counter[0], username=counter[1], ip=counter[2]).delete()


def clear(username, ip, give_back=None):
    counters = [(rules.PAIR, username, ip), (rules.ACCOUNT, username, ""), (rules.OTP, username, ip),
                (rules.OTP_ACCOUNT, username, "")]
    deletions = [_key(c, f) for c in counters for f in ("n", "lock", "lvl", "gate", "start")]
    _give_back(_cache(), give_back.undo if give_back is not None else {}, deletions)
    store_db.clear(username, ip)


def failures(username, ip):
    """{rule: failures} of the password rules for (username, ip), as counted now (the IP's in its window)."""
    cache, ip_c = _cache(), (rules.IP, "", ip)
    counters = [(rules.PAIR, username, ip), (rules.ACCOUNT, username, "")]
    values = cache.get_many([*(_key(c, "n") for c in counters), _key(ip_c, "start")])
    counts = {c[0]: values[_key(c, "n")] for c in counters if _key(c, "n") in values}
    start = _ms(values.get(_key(ip_c, "start")))
    if start is not None and _now_ms() - start < app_settings.LOCKOUT_IP_WINDOW * 1000:
        in_window = cache.get(_key(ip_c, f"n:{start}"))
        if in_window:
            counts[rules.IP] = in_window
    return counts


def forget(rule, username, ip):
    """Lift one counter's lock and count (the admin's unlock)."""
    _cache().delete_many([_key((rule, username, ip), f) for f in ("n", "lock", "lvl", "gate", "start")])
