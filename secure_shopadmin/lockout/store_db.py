"""Counters in database rows: each attempt locks its rows (``SELECT … FOR UPDATE``), checks every rule
and reserves its slot in one transaction, so parallel attempts are serialised per row and no burst
gets past a limit. Nothing here deletes more than the rows of the keys it is given.
"""

from datetime import timedelta

from django.db import connections, router, transaction
from django.db.models import F, Q

from ..conf import app_settings
from . import clock, counting, rules, store_sql
from .models import Counter
from .reservations import Reservation

STATE_FIELDS = ("failures", "window_started_at", "last_failure_at", "locked_until", "delayed_until", "level")


def _db():
    return router.db_for_write(Counter)


def password_keys(subject):
    return [(rules.PAIR, subject.username, subject.ip), (rules.IP, "", subject.ip),
            (rules.ACCOUNT, subject.username, "")]


def otp_keys(subject):
    return [(rules.OTP, subject.username, subject.ip), (rules.OTP_ACCOUNT, subject.username, "")]


def _keys_condition(keys):
    condition = Q()
    for rule, username, ip in keys:
        condition |= Q(rule=rule, username=username, ip=ip)
    return condition


def _query(keys):
    return Counter.objects.using(_db()).filter(_keys_condition(keys))


def _by_key(rows):
    return {(row.rule, row.username, row.ip): row for row in rows}


def _snapshot(row):
    return {name: getattr(row, name) for name in STATE_FIELDS}


def _locked_rows(keys):
    """The rows of ``keys``, created if missing, locked until the surrounding transaction ends."""
    query = _query(keys)
    if connections[_db()].vendor == "sqlite":  # take SQLite's write lock before reading
        query.update(failures=F("failures"))
    rows = _by_key(query.select_for_update().order_by("pk"))
    if len(rows) < len(keys):
        # a row inserted by a parallel attempt is waited for here (unique key), then locked below
        Counter.objects.using(_db()).bulk_create(
            [Counter(rule=r, username=u, ip=i) for (r, u, i) in keys if (r, u, i) not in rows],
            ignore_conflicts=True,
        )
        rows = _by_key(query.select_for_update().order_by("pk"))
    return [rows[key] for key in keys]


def _save(rows, befores, reservation):
    for row in rows:
        row.save(update_fields=STATE_FIELDS)
    reservation.undo = {row.pk: _give_back(befores[row.pk], _snapshot(row)) for row in rows}


def _give_back(before, after):
    """What :func:`release` undoes of one counted row: its count, and the lock, level and delay it set."""
    return {"lock": after["locked_until"] if after["locked_until"] != before["locked_until"] else None,
            "level": after["level"] != before["level"],
            "delay": after["delayed_until"] if after["delayed_until"] != before["delayed_until"] else None}


def _lock_retry(reservation, rows, now):
    untils = [row.locked_until for row in rows if row.rule in reservation.new_locks and row.locked_until]
    return max((rules.seconds_until(until, now) for until in untils), default=0)


def refusals_write():
    """Whether a refused reservation would write (then a client that can claim no exemption is peeked
    at first): not with one statement per reservation, which writes nothing when a row refuses."""
    return not store_sql.supported(connections[_db()])


def peek_password(subject):
    """A read-only check without locks: seconds the attempt would be refused for, or 0."""
    now = clock.now()
    wanted = password_keys(subject)
    candidates = Counter.objects.using(_db()).filter(  # one indexed lookup, sorted out here
        username__in={subject.username, ""}, ip__in={subject.ip, ""}, locked_until__isnull=False)
    rows = {key: row for key, row in _by_key(candidates).items() if key in wanted}
    pair, ip_row, account = (rows.get(key) or Counter(rule=key[0]) for key in password_keys(subject))
    if counting.locked(ip_row, now):
        return rules.seconds_until(ip_row.locked_until, now)
    blocked = [row.locked_until for row in (pair, account) if counting.locked(row, now)]
    if blocked:
        return max(rules.seconds_until(until, now) for until in blocked)
    return 0


def reserve_password(subject):
    if store_sql.supported(connections[_db()]):
        return _upsert_password(subject)
    reservation = Reservation("password", subject)
    with transaction.atomic(using=_db()):
        now = clock.now()
        pair, ip_row, account = rows = _locked_rows(password_keys(subject))
        befores = {row.pk: _snapshot(row) for row in rows}
        counting.age_pair(pair, now)
        counting.age_window(ip_row, now, app_settings.LOCKOUT_IP_WINDOW)
        counting.age_account(account, now)
        retry, refused_by, via_pass = rules.password_refusal(
            subject, ip_lock=ip_row.locked_until, pair_lock=pair.locked_until, account_lock=account.locked_until,
            delayed_until=account.delayed_until, active=lambda until: bool(until and until > now),
            retry=lambda until: rules.seconds_until(until, now))
        if retry:
            reservation.retry_after, reservation.refused_by = retry, refused_by
            return reservation
        reservation.via_pass = via_pass
        counting.count_in_window(ip_row, now, reservation, app_settings.LOCKOUT_IP_LIMIT,
                                 app_settings.LOCKOUT_IP_COOLOFF)
        counted = [ip_row]
        if not via_pass:
            counting.count_pair(pair, now, reservation)
            counting.count_account(account, now, reservation)
            reservation.prior_failures = account.failures - 1
            counted += [pair, account]
        _save(counted, befores, reservation)
        reservation.lock_retry_after = _lock_retry(reservation, counted, now)
    return reservation


def peek_otp(subject):
    now = clock.now()
    row = _query(otp_keys(subject)[:1]).first()
    return rules.seconds_until(row.locked_until, now) if row is not None and counting.locked(row, now) else 0


def reserve_otp(subject):
    if store_sql.supported(connections[_db()]):
        return _upsert_otp(subject)
    reservation = Reservation("otp", subject)
    with transaction.atomic(using=_db()):
        now = clock.now()
        row, account = rows = _locked_rows(otp_keys(subject))
        befores = {r.pk: _snapshot(r) for r in rows}
        if counting.locked(row, now):
            reservation.retry_after = rules.seconds_until(row.locked_until, now)
            reservation.refused_by = (rules.OTP,)
            return reservation
        counting.age_account_codes(account, now)
        waits = [until for until in (account.locked_until, account.delayed_until) if until and until > now]
        if waits and not subject.known_device():
            reservation.retry_after = max(rules.seconds_until(until, now) for until in waits)
            reservation.refused_by = (rules.OTP_ACCOUNT,)
            return reservation
        counting.age_window(row, now, app_settings.LOCKOUT_OTP_WINDOW)
        counting.count_in_window(row, now, reservation, app_settings.LOCKOUT_OTP_LIMIT, app_settings.LOCKOUT_OTP_WINDOW)
        counting.count_account_code(account, now, reservation)
        _save(rows, befores, reservation)
        reservation.lock_retry_after = _lock_retry(reservation, [row], now)
    return reservation


# --- one statement per reservation (PostgreSQL, SQLite >= 3.35: store_sql) ----------------------------

def _count_fresh(rule, row, now, reservation):
    if rule in (rules.IP, rules.OTP):
        window, limit, lock = ((app_settings.LOCKOUT_IP_WINDOW, app_settings.LOCKOUT_IP_LIMIT,
                                app_settings.LOCKOUT_IP_COOLOFF) if rule == rules.IP else
                               (app_settings.LOCKOUT_OTP_WINDOW, app_settings.LOCKOUT_OTP_LIMIT,
                                app_settings.LOCKOUT_OTP_WINDOW))
        counting.age_window(row, now, window)
        counting.count_in_window(row, now, reservation, limit, lock)
    else:
        {rules.PAIR: counting.count_pair, rules.ACCOUNT: counting.count_account,
         rules.OTP_ACCOUNT: counting.count_account_code}[rule](
            row, now, reservation)
    return _snapshot(row)


def _upsert(keys, now, exempt=""):
    """Age and count the rows of ``keys`` in one statement unless one refuses: {rule: returned row}."""
    connection = connections[_db()]
    fresh = [_count_fresh(key[0], Counter(rule=key[0]), now, Reservation("", None)) for key in keys]
    statement, params = store_sql.reservation_statement(connection, keys, fresh, now, exempt)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return store_sql.returned_rows(cursor.fetchall())


def _sets_lock(rule, row, was_locked):
    n = row["failures"]
    limits = {rules.PAIR: rules.pair_limit(), rules.IP: app_settings.LOCKOUT_IP_LIMIT,
              rules.ACCOUNT: app_settings.LOCKOUT_ACCOUNT_LOCK_AFTER, rules.OTP: app_settings.LOCKOUT_OTP_LIMIT,
              rules.OTP_ACCOUNT: app_settings.LOCKOUT_OTP_ACCOUNT_LOCK_AFTER}
    return n >= limits[rule] and rule not in was_locked


def _sets_delay(rule, row):
    delay_of = {rules.ACCOUNT: rules.account_delay, rules.OTP_ACCOUNT: rules.otp_account_delay}.get(rule)
    return delay_of is not None and delay_of(row["failures"]) is not None


def _granted(reservation, rows, now, was_locked=(), retry_rules=None):
    """The slot the statement counted: its new locks, their retry, and what :func:`release` would undo."""
    order = (rules.IP, rules.PAIR, rules.ACCOUNT, rules.OTP, rules.OTP_ACCOUNT)
    for rule in (rule for rule in order if rule in rows):
        row = rows[rule]
        mailed_ceiling = rule == rules.OTP_ACCOUNT and row["failures"] == app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER
        if _sets_lock(rule, row, was_locked) or mailed_ceiling:
            reservation.new_locks.append(rule)
        reservation.undo[row["id"]] = {
            "lock": row["locked_until"] if _sets_lock(rule, row, was_locked) else None,
            "level": rule == rules.PAIR and _sets_lock(rule, row, was_locked),
            "delay": row["delayed_until"] if _sets_delay(rule, row) else None,
        }
    if rules.ACCOUNT in rows:
        reservation.prior_failures = rows[rules.ACCOUNT]["failures"] - 1
    untils = [row["locked_until"] for rule, row in rows.items()
              if (retry_rules is None or rule in retry_rules) and rule in reservation.new_locks and row["locked_until"]]
    reservation.lock_retry_after = max((rules.seconds_until(until, now) for until in untils), default=0)
    return reservation


def _give_back_partial(rows, now, was_locked=()):
    """A row of the set came to refuse between the statement's snapshot and its row lock: undo the others."""
    if rows:
        settle(_granted(Reservation("", None), rows, now, was_locked).undo, [])


def _upsert_password(subject):
    reservation = Reservation("password", subject)
    now = clock.now()
    keys = password_keys(subject)
    rows = _upsert(keys, now)
    if len(rows) == len(keys):
        return _granted(reservation, rows, now)
    _give_back_partial(rows, now)
    state = _by_key(_query(keys))
    pair, ip_row, account = (state.get(key) or Counter(rule=key[0]) for key in keys)
    retry, refused_by, via_pass = rules.password_refusal(
        subject, ip_lock=ip_row.locked_until, pair_lock=pair.locked_until, account_lock=account.locked_until,
        delayed_until=account.delayed_until, active=lambda until: bool(until and until > now),
        retry=lambda until: rules.seconds_until(until, now))
    if not retry:  # an unlock pass (the IP alone is counted), or a known browser in the account's delay
        counted = [keys[1]] if via_pass else keys
        rows = _upsert(counted, now, exempt="" if via_pass else "delay")
        if len(rows) == len(counted):
            reservation.via_pass = via_pass
            return _granted(reservation, rows, now)
        _give_back_partial(rows, now)
        retry, refused_by = 1, ("limit",)
    reservation.retry_after, reservation.refused_by = retry, refused_by
    return reservation


def _upsert_otp(subject):
    reservation = Reservation("otp", subject)
    now = clock.now()
    keys = otp_keys(subject)
    rows = _upsert(keys, now)
    if len(rows) == len(keys):
        return _granted(reservation, rows, now, retry_rules=(rules.OTP,))
    _give_back_partial(rows, now)
    state = _by_key(_query(keys))
    row, account = (state.get(key) or Counter(rule=key[0]) for key in keys)
    waits = [until for until in (account.locked_until, account.delayed_until) if until and until > now]
    if counting.locked(row, now):
        reservation.retry_after, reservation.refused_by = rules.seconds_until(row.locked_until, now), (rules.OTP,)
    elif waits and not subject.known_device():
        reservation.retry_after = max(rules.seconds_until(until, now) for until in waits)
        reservation.refused_by = (rules.OTP_ACCOUNT,)
    else:  # a known browser passes the account-wide delay and lock
        was_locked = (rules.OTP_ACCOUNT,) if counting.locked(account, now) else ()
        rows = _upsert(keys, now, exempt="all")
        if len(rows) == len(keys):
            return _granted(reservation, rows, now, was_locked, retry_rules=(rules.OTP,))
        _give_back_partial(rows, now, was_locked)
        reservation.retry_after, reservation.refused_by = 1, (rules.OTP,)
    return reservation


def release(reservation):
    """Give the slot back (the password or code was right): undo its count and the locks it set. One statement."""
    settle(reservation.undo, [])


def clear(username, ip, give_back=None):
    """The whole pipeline succeeded: forget this pair's and account's failures and this pair's codes, and give
    back ``give_back``'s slot (the password's, when no step released it): one statement."""
    settle(give_back.undo if give_back is not None else {}, clear_keys(username, ip))


def clear_keys(username, ip):
    """The rows a finished login starts over: the pair's, the account's and their codes'."""
    return [(rules.PAIR, username, ip), (rules.ACCOUNT, username, ""), (rules.OTP, username, ip),
            (rules.OTP_ACCOUNT, username, "")]


def settle(undo, cleared_keys):
    """One UPDATE: each row of ``undo`` loses the failure its slot counted and the lock, level and delay that
    slot set (only if nobody changed them since); the rows of ``cleared_keys`` start over."""
    if not undo and not cleared_keys:
        return
    connection = connections[_db()]
    statement, params = store_sql.settle_statement(connection, undo, cleared_keys)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def failures(username, ip):
    """{rule: failures} of the password rules for (username, ip), as counted now."""
    keys = [(rules.PAIR, username, ip), (rules.IP, "", ip), (rules.ACCOUNT, username, "")]
    rows = _by_key(_query(keys))
    return {key[0]: rows[key].failures for key in keys if key in rows}


def claim_interval(username, kind, seconds):
    """True (and start the interval) if no ``kind`` mail went to ``username`` in the last ``seconds``."""
    with transaction.atomic(using=_db()):
        now = clock.now()
        (row,) = _locked_rows([(rules.MAIL, username, kind)])
        if row.locked_until and row.locked_until > now:
            return False
        row.locked_until = now + timedelta(seconds=seconds)
        row.last_failure_at = now
        row.save(update_fields=["locked_until", "last_failure_at"])
        return True


def mirror_lock(rule, username, ip, until, level=0):
    """Record a lock counted elsewhere (the cache store), so the admin lists it."""
    Counter.objects.using(_db()).update_or_create(
        rule=rule, username=username, ip=ip, defaults={"locked_until": until, "level": level})
