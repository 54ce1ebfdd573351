"""The guard's rules as arithmetic on one counter row (a :class:`~.models.Counter`): what time alone has
undone (``age_*``) and what one more failure does (``count_*``). The row-lock path of :mod:`.store_db`
applies them in Python; :mod:`.store_sql` writes the same in one statement and starts missing rows
with them."""

from datetime import timedelta

from ..conf import app_settings
from . import rules


def age_pair(row, now):
    forget = timedelta(seconds=app_settings.LOCKOUT_PAIR_FORGET_AFTER)
    if row.locked_until and row.locked_until <= now:
        row.failures, row.locked_until = 0, None  # a lock that ran out starts a new count
    if row.last_failure_at and now - row.last_failure_at >= forget and not locked(row, now):
        row.failures, row.level = 0, 0


def age_window(row, now, window_seconds):
    if row.locked_until and row.locked_until <= now:
        row.failures, row.locked_until, row.window_started_at = 0, None, None
    window = timedelta(seconds=window_seconds)
    if row.window_started_at is None or now - row.window_started_at >= window:
        row.failures, row.window_started_at = 0, now


def age_account(row, now):
    if row.locked_until and row.locked_until <= now:
        row.locked_until = None
    forget = timedelta(seconds=app_settings.LOCKOUT_ACCOUNT_FORGET_AFTER)
    if row.last_failure_at and now - row.last_failure_at >= forget and not locked(row, now):
        row.failures, row.delayed_until = 0, None


def locked(row, now):
    return bool(row.locked_until and row.locked_until > now)


def count_pair(row, now, reservation):
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= rules.pair_limit():
        row.level += 1
        row.locked_until = now + rules.pair_cooloff(row.level)
        reservation.new_locks.append(rules.PAIR)


def count_in_window(row, now, reservation, limit, lock_seconds):
    """Count a failure of a windowed rule (IP, codes); at ``limit`` the row is locked for ``lock_seconds``."""
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + timedelta(seconds=lock_seconds)
        reservation.new_locks.append(row.rule)


def count_account(row, now, reservation):
    row.failures += 1
    row.last_failure_at = now
    delay = rules.account_delay(row.failures)
    if delay is not None:
        row.delayed_until = now + delay
    if row.failures >= app_settings.LOCKOUT_ACCOUNT_LOCK_AFTER and not locked(row, now):
        row.locked_until = rules.UNTIL_UNLOCKED
        reservation.new_locks.append(rules.ACCOUNT)


def delayed(row, now):
    return bool(row.delayed_until and row.delayed_until > now)


def age_account_codes(row, now):
    """Consecutive wrong codes of an account are forgotten after LOCKOUT_OTP_ACCOUNT_WINDOW without one."""
    forget = timedelta(seconds=app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW)
    if row.last_failure_at and now - row.last_failure_at >= forget and not locked(row, now):
        row.failures, row.delayed_until = 0, None


def count_account_code(row, now, reservation):
    """One more consecutive wrong code of the account, any network: past the ceiling a doubling delay,
    at LOCKOUT_OTP_ACCOUNT_LOCK_AFTER a lock until unlocked (known browsers pass both)."""
    row.failures += 1
    row.last_failure_at = now
    delay = rules.otp_account_delay(row.failures)
    if delay is not None:
        row.delayed_until = now + delay
    if row.failures == app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER:
        reservation.new_locks.append(rules.OTP_ACCOUNT)
    if row.failures >= app_settings.LOCKOUT_OTP_ACCOUNT_LOCK_AFTER and not locked(row, now):
        row.locked_until = rules.UNTIL_UNLOCKED
        if rules.OTP_ACCOUNT not in reservation.new_locks:
            reservation.new_locks.append(rules.OTP_ACCOUNT)
