"""Counters in database rows: each attempt locks its rows (``SELECT … FOR UPDATE``), checks every rule
and reserves its slot in one transaction, so parallel attempts are serialised per row and no burst
gets past a limit. Nothing here deletes more than the rows of the keys it is given.
"""

from datetime import timedelta

from django.db import connections, router, transaction
from django.db.models import F, Q

from ..conf import app_settings
from . import clock, rules
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


def _query(keys):
    condition = Q()
    for rule, username, ip in keys:
        condition |= Q(rule=rule, username=username, ip=ip)
    return Counter.objects.using(_db()).filter(condition)


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


# --- ageing: what time alone has undone -------------------------------------------------------

def _age_pair(row, now):
    forget = timedelta(seconds=app_settings.LOCKOUT_PAIR_FORGET_AFTER)
    if row.locked_until and row.locked_until <= now:
        row.failures, row.locked_until = 0, None  # a lock that ran out starts a new count
    if row.last_failure_at and now - row.last_failure_at >= forget and not _locked(row, now):
        row.failures, row.level = 0, 0


def _age_window(row, now, window_seconds):
    if row.locked_until and row.locked_until <= now:
        row.failures, row.locked_until, row.window_started_at = 0, None, None
    window = timedelta(seconds=window_seconds)
    if row.window_started_at is None or now - row.window_started_at >= window:
        row.failures, row.window_started_at = 0, now


def _age_account(row, now):
    if row.locked_until and row.locked_until <= now:
        row.locked_until = None
    forget = timedelta(seconds=app_settings.LOCKOUT_ACCOUNT_FORGET_AFTER)
    if row.last_failure_at and now - row.last_failure_at >= forget and not _locked(row, now):
        row.failures, row.delayed_until = 0, None


def _locked(row, now):
    return bool(row.locked_until and row.locked_until > now)


# --- the rules ---------------------------------------------------------------------------------

def _count_pair(row, now, reservation):
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= rules.pair_limit():
        row.level += 1
        row.locked_until = now + rules.pair_cooloff(row.level)
        reservation.new_locks.append(rules.PAIR)


def _count_in_window(row, now, reservation, limit, lock_seconds):
    """Count a failure of a windowed rule (IP, codes); at ``limit`` the row is locked for ``lock_seconds``."""
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + timedelta(seconds=lock_seconds)
        reservation.new_locks.append(row.rule)


def _count_account(row, now, reservation):
    row.failures += 1
    row.last_failure_at = now
    delay = rules.account_delay(row.failures)
    if delay is not None:
        row.delayed_until = now + delay
    if row.failures >= app_settings.LOCKOUT_ACCOUNT_LOCK_AFTER and not _locked(row, now):
        row.locked_until = rules.UNTIL_UNLOCKED
        reservation.new_locks.append(rules.ACCOUNT)


def _save(rows, befores, reservation):
    for row in rows:
        row.save(update_fields=STATE_FIELDS)
    reservation.undo = {row.pk: (befores[row.pk], _snapshot(row)) for row in rows}


def _lock_retry(reservation, rows, now):
    untils = [row.locked_until for row in rows if row.rule in reservation.new_locks and row.locked_until]
    return max((rules.seconds_until(until, now) for until in untils), default=0)


def peek_password(subject):
    """A read-only check without locks: seconds the attempt would be refused for, or 0."""
    now = clock.now()
    wanted = password_keys(subject)
    candidates = Counter.objects.using(_db()).filter(  # one indexed lookup, sorted out here
        username__in={subject.username, ""}, ip__in={subject.ip, ""}, locked_until__isnull=False)
    rows = {key: row for key, row in _by_key(candidates).items() if key in wanted}
    pair, ip_row, account = (rows.get(key) or Counter(rule=key[0]) for key in password_keys(subject))
    if _locked(ip_row, now):
        return rules.seconds_until(ip_row.locked_until, now)
    blocked = [row.locked_until for row in (pair, account) if _locked(row, now)]
    if blocked:
        return max(rules.seconds_until(until, now) for until in blocked)
    return 0


def reserve_password(subject):
    reservation = Reservation("password", subject)
    with transaction.atomic(using=_db()):
        now = clock.now()
        pair, ip_row, account = rows = _locked_rows(password_keys(subject))
        befores = {row.pk: _snapshot(row) for row in rows}
        _age_pair(pair, now)
        _age_window(ip_row, now, app_settings.LOCKOUT_IP_WINDOW)
        _age_account(account, now)
        retry, refused_by, via_pass = rules.password_refusal(
            subject, ip_lock=ip_row.locked_until, pair_lock=pair.locked_until, account_lock=account.locked_until,
            delayed_until=account.delayed_until, active=lambda until: bool(until and until > now),
            retry=lambda until: rules.seconds_until(until, now))
        if retry:
            reservation.retry_after, reservation.refused_by = retry, refused_by
            return reservation
        reservation.via_pass = via_pass
        _count_in_window(ip_row, now, reservation, app_settings.LOCKOUT_IP_LIMIT, app_settings.LOCKOUT_IP_COOLOFF)
        counted = [ip_row]
        if not via_pass:
            _count_pair(pair, now, reservation)
            _count_account(account, now, reservation)
            reservation.prior_failures = account.failures - 1
            counted += [pair, account]
        _save(counted, befores, reservation)
        reservation.lock_retry_after = _lock_retry(reservation, counted, now)
    return reservation


def peek_otp(subject):
    now = clock.now()
    row = _query(otp_keys(subject)[:1]).first()
    return rules.seconds_until(row.locked_until, now) if row is not None and _locked(row, now) else 0


def reserve_otp(subject):
    reservation = Reservation("otp", subject)
    with transaction.atomic(using=_db()):
        now = clock.now()
        row, account = rows = _locked_rows(otp_keys(subject))
        befores = {r.pk: _snapshot(r) for r in rows}
        if _locked(row, now):
            reservation.retry_after = rules.seconds_until(row.locked_until, now)
            reservation.refused_by = (rules.OTP,)
            return reservation
        _age_account_codes(account, now)
        waits = [until for until in (account.locked_until, account.delayed_until) if until and until > now]
        if waits and not subject.known_device():
            reservation.retry_after = max(rules.seconds_until(until, now) for until in waits)
            reservation.refused_by = (rules.OTP_ACCOUNT,)
            return reservation
        _age_window(row, now, app_settings.LOCKOUT_OTP_WINDOW)
        _count_in_window(row, now, reservation, app_settings.LOCKOUT_OTP_LIMIT, app_settings.LOCKOUT_OTP_WINDOW)
        _count_account_code(account, now, reservation)
        _save(rows, befores, reservation)
        reservation.lock_retry_after = _lock_retry(reservation, [row], now)
    return reservation


def _delayed(row, now):
    return bool(row.delayed_until and row.delayed_until > now)


def _age_account_codes(row, now):
    """Consecutive wrong codes of an account are forgotten after LOCKOUT_OTP_ACCOUNT_WINDOW without one."""
    forget = timedelta(seconds=app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW)
    if row.last_failure_at and now - row.last_failure_at >= forget and not _locked(row, now):
        row.failures, row.delayed_until = 0, None


def _count_account_code(row, now, reservation):
    """One more consecutive wrong code of the account, any network: past the ceiling a doubling delay,
    at LOCKOUT_OTP_ACCOUNT_LOCK_AFTER a lock until unlocked (known browsers pass both)."""
    row.failures += 1
    row.last_failure_at = now
    delay = rules.otp_account_delay(row.failures)
    if delay is not None:
        row.delayed_until = now + delay
    if row.failures == app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER:
        reservation.new_locks.append(rules.OTP_ACCOUNT)
    if row.failures >= app_settings.LOCKOUT_OTP_ACCOUNT_LOCK_AFTER and not _locked(row, now):
        row.locked_until = rules.UNTIL_UNLOCKED
        if rules.OTP_ACCOUNT not in reservation.new_locks:
            reservation.new_locks.append(rules.OTP_ACCOUNT)


def release(reservation):
    """Give the slot back (the password or code was right): undo its count and the locks it set."""
    if not reservation.undo:
        return
    with transaction.atomic(using=_db()):
        rows = Counter.objects.using(_db()).select_for_update().filter(pk__in=list(reservation.undo)).order_by("pk")
        for row in rows:
            before, after = reservation.undo[row.pk]
            if _snapshot(row) == after:
                for name, value in before.items():
                    setattr(row, name, value)
            else:  # others counted meanwhile: take back only what this slot added
                row.failures = max(0, row.failures - 1)
                for name in ("locked_until", "delayed_until", "level"):
                    if getattr(row, name) == after[name]:
                        setattr(row, name, before[name])
            row.save(update_fields=STATE_FIELDS)


def clear(username, ip):
    """The whole pipeline succeeded: forget this pair's and account's failures and this pair's codes."""
    _query([(rules.PAIR, username, ip), (rules.ACCOUNT, username, ""), (rules.OTP, username, ip),
            (rules.OTP_ACCOUNT, username, "")]).delete()


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
