"""Which store counts: the shared cache named by ``LOCKOUT_CACHE``, else database rows; and while that
cache cannot be reached, database rows in its place.

A login must neither fail nor go uncounted because Redis restarted. A call that meets a refused or
timed-out connection is made on the database rows instead, and for ``LOCKOUT_CACHE_RETRY`` seconds
every new attempt is counted there before the cache is tried again; the outage is logged (ERROR) when
it starts. The rows apply the same limits, so an outage gives an attacker at most one more set of them.
A slot is given back to the store that counted it; one counted in a cache that is gone stays counted.
"""

import logging
from datetime import timedelta

from ..conf import app_settings
from . import clock, store_cache, store_db

try:
    from redis import exceptions as redis_errors
except ImportError:  # the rows, or a cache other than Redis
    UNREACHABLE = (ConnectionError, TimeoutError)
else:
    UNREACHABLE = (ConnectionError, TimeoutError, redis_errors.ConnectionError, redis_errors.TimeoutError)

logger = logging.getLogger("secure_shopadmin.lockout")
_outage = {"until": None}


def current():
    """The store new attempts are counted in (what :func:`.services.store` returns)."""
    return cache_or_rows if app_settings.LOCKOUT_CACHE else store_db


def cache_unreachable():
    """Whether the cache failed less than ``LOCKOUT_CACHE_RETRY`` seconds ago."""
    until = _outage["until"]
    return until is not None and clock.now() < until


def _unreachable(error):
    if not cache_unreachable():
        logger.error("lockout: the cache %r cannot be reached (%s); counting in database rows for %s s",
                     app_settings.LOCKOUT_CACHE, error, app_settings.LOCKOUT_CACHE_RETRY)
    _outage["until"] = clock.now() + timedelta(seconds=app_settings.LOCKOUT_CACHE_RETRY)


def reachable_again():
    """Forget an outage (the cache is tried at the next attempt)."""
    _outage["until"] = None


def _either(name, *args):
    """``name`` on the cache, or on the rows while it cannot be reached."""
    if not cache_unreachable():
        try:
            return getattr(store_cache, name)(*args), store_cache
        except UNREACHABLE as error:
            _unreachable(error)
    return getattr(store_db, name)(*args), store_db


def _reserve(name, subject):
    reservation, counted_by = _either(name, subject)
    reservation.counted_by = counted_by
    return reservation


class CacheOrRows:
    """The :class:`.reservations.CounterStore` of ``LOCKOUT_CACHE``, falling back to database rows."""

    def refusals_write(self):
        return store_db.refusals_write() if cache_unreachable() else store_cache.refusals_write()

    def peek_password(self, subject):
        return _either("peek_password", subject)[0]

    def reserve_password(self, subject):
        return _reserve("reserve_password", subject)

    def peek_otp(self, subject):
        return _either("peek_otp", subject)[0]

    def reserve_otp(self, subject):
        return _reserve("reserve_otp", subject)

    def failures(self, username, ip):
        return _either("failures", username, ip)[0]

    def release(self, reservation):
        if reservation.counted_by is not store_cache:
            return store_db.release(reservation)
        try:
            store_cache.release(reservation)
        except UNREACHABLE as error:  # the slot stays counted where it was
            _unreachable(error)

    def clear(self, username, ip, give_back=None):
        if give_back is not None and give_back.counted_by is not store_cache:
            store_db.release(give_back)
            give_back = None
        if not cache_unreachable():
            try:
                return store_cache.clear(username, ip, give_back)
            except UNREACHABLE as error:
                _unreachable(error)
        store_db.clear(username, ip)

    def forget(self, rule, username, ip):
        """The admin's unlock in the cache (the rows are cleared by the caller); nothing while it is gone."""
        if not cache_unreachable():
            try:
                store_cache.forget(rule, username, ip)
            except UNREACHABLE as error:
                _unreachable(error)


cache_or_rows = CacheOrRows()
