"""The guard's rules: their limits (from ``conf.py``) and the arithmetic of cool-offs and delays.

=========  ======================  ==========================================================
rule       counted per             consequence
=========  ======================  ==========================================================
pair       (account, client IP)    hard lock after LOCKOUT_PAIR_LIMIT failures; cool-off grows
                                   per repeat (LOCKOUT_PAIR_COOLOFFS), never permanent
ip         client IP (/64 IPv6)    lock after LOCKOUT_IP_LIMIT failures in LOCKOUT_IP_WINDOW
account    account, any IP         from LOCKOUT_ACCOUNT_DELAY_AFTER consecutive failures a
                                   doubling delay (a known browser is exempt); at
                                   LOCKOUT_ACCOUNT_LOCK_AFTER a lock until unlocked
otp        (account, client IP)    wrong codes: LOCKOUT_OTP_LIMIT per LOCKOUT_OTP_WINDOW
otp_acct   account, any IP         consecutive wrong codes: from LOCKOUT_OTP_ACCOUNT_DELAY_AFTER
                                   a doubling delay per code, at LOCKOUT_OTP_ACCOUNT_LOCK_AFTER
                                   a lock (a known browser passes both); the ceiling is mailed
=========  ======================  ==========================================================
"""

from datetime import UTC, datetime, timedelta

from ..conf import app_settings

PAIR, IP, ACCOUNT, OTP, MAIL = "pair", "ip", "account", "otp", "mail"
OTP_ACCOUNT = "otp_acct"
#: ``locked_until`` of a lock that only an unlock lifts
UNTIL_UNLOCKED = datetime(9999, 1, 1, tzinfo=UTC)


#: the settings the counting arithmetic reads (besides :func:`pair_limit`'s): a statement built from the
#: rules is kept per their values
ARITHMETIC_SETTINGS = (
    "LOCKOUT_PAIR_COOLOFFS", "LOCKOUT_PAIR_FORGET_AFTER", "LOCKOUT_IP_LIMIT", "LOCKOUT_IP_WINDOW",
    "LOCKOUT_IP_COOLOFF", "LOCKOUT_ACCOUNT_DELAY_AFTER", "LOCKOUT_ACCOUNT_DELAY_BASE", "LOCKOUT_ACCOUNT_DELAY_MAX",
    "LOCKOUT_ACCOUNT_LOCK_AFTER", "LOCKOUT_ACCOUNT_FORGET_AFTER", "LOCKOUT_OTP_LIMIT", "LOCKOUT_OTP_WINDOW",
    "LOCKOUT_OTP_ACCOUNT_DELAY_AFTER", "LOCKOUT_OTP_ACCOUNT_WINDOW", "LOCKOUT_OTP_ACCOUNT_LOCK_AFTER",
    "LOCKOUT_OTP_ACCOUNT_DELAY_BASE", "LOCKOUT_OTP_ACCOUNT_DELAY_MAX",
)


def arithmetic():
    """The values of :data:`ARITHMETIC_SETTINGS` and the pair limit, hashable."""
    values = (getattr(app_settings, name) for name in ARITHMETIC_SETTINGS)
    return (pair_limit(), *(tuple(value) if isinstance(value, list) else value for value in values))


def pair_limit():
    limit = app_settings.LOCKOUT_PAIR_LIMIT
    if limit is None:
        limit = app_settings.AXES_FAILURE_LIMIT
    return limit if isinstance(limit, int) and limit > 0 else 5


def pair_cooloff(level):
    """The cool-off of a pair's ``level``-th lock (1-based); the last configured one repeats."""
    cooloffs = tuple(app_settings.LOCKOUT_PAIR_COOLOFFS) or (900,)
    return timedelta(seconds=cooloffs[min(max(level, 1), len(cooloffs)) - 1])


def account_delay(failures):
    """The wait after an account's ``failures``-th consecutive failure, or None below the threshold."""
    after = app_settings.LOCKOUT_ACCOUNT_DELAY_AFTER
    if failures < after:
        return None
    seconds = app_settings.LOCKOUT_ACCOUNT_DELAY_BASE * 2 ** min(failures - after, 32)
    return timedelta(seconds=min(seconds, app_settings.LOCKOUT_ACCOUNT_DELAY_MAX))


def otp_account_delay(failures):
    """The wait after an account's ``failures``-th wrong code in its window (any networks), or None below it."""
    after = app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER
    if failures < after:
        return None
    seconds = app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_BASE * 2 ** min(failures - after, 32)
    return timedelta(seconds=min(seconds, app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_MAX))


def seconds_until(moment, now):
    """Whole seconds (at least 1) from ``now`` to ``moment``; an unlock-only lock gives the nominal value."""
    if moment >= UNTIL_UNLOCKED:
        return int(app_settings.LOCKOUT_ACCOUNT_LOCK_RETRY_AFTER)
    return max(1, int((moment - now).total_seconds() + 0.999))


def password_refusal(subject, *, ip_lock, pair_lock, account_lock, delayed_until, active, retry):
    """Why a password attempt must wait: (retry seconds, refusing rules, via_pass), or (0, (), via_pass).

    The one statement of the password rules, for either store: a locked IP refuses outright; a locked
    pair or account, or the account's delay, refuses unless the browser holds an unlock pass; the
    delay (not a lock) also spares a known device. ``active(until)`` and ``retry(until)`` read the
    store's own representation of a lock's end.
    """
    if active(ip_lock):
        return retry(ip_lock), (IP,), False
    blocked = [(rule, until) for rule, until in ((PAIR, pair_lock), (ACCOUNT, account_lock)) if active(until)]
    delayed = active(delayed_until)
    if not blocked and not delayed:
        return 0, (), False
    if subject.take_pass():
        return 0, (), True
    if not blocked and subject.known_device():
        return 0, (), False
    waits = blocked + ([(ACCOUNT, delayed_until)] if delayed else [])
    return max(retry(until) for _rule, until in waits), tuple(rule for rule, _until in waits), False
