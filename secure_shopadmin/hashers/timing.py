"""Evening out the time of a failed legacy check, so it does not tell which users still hold an old hash.

Django calls ``harden_runtime()`` only when the stored hash uses the preferred hasher, so each legacy
hasher calls :func:`even_out` itself from ``verify()`` when the password is wrong.
"""

import time

from django.contrib.auth.hashers import get_hasher

from ..conf import app_settings

_DUMMY_PASSWORD = "secure_shopadmin timing"

#: seconds one encode() of the preferred hasher took, by hasher class and parameters
_preferred_cost = {}


def _cost_key(hasher):
    params = (getattr(hasher, name, None) for name in ("time_cost", "memory_cost", "parallelism", "iterations"))
    return (type(hasher), *params)


def even_out(password, started):
    """Make a failed check that began at ``started`` (``time.perf_counter()``) last about one preferred hash.

    A check much shorter than the preferred hasher pays one real run of it (so the cost follows the
    server's load as argon2 does); a slow legacy check (bcrypt) is topped up by sleeping the difference.
    """
    if not app_settings.LEGACY_EQUALISE_TIMING:
        return
    preferred = get_hasher("default")
    if getattr(preferred, "only_verifies", False):
        return  # a misconfiguration the system check reports; nothing cheaper to match
    key = _cost_key(preferred)
    elapsed = time.perf_counter() - started
    estimate = _preferred_cost.get(key)
    if estimate is None or elapsed < estimate / 2:
        run_started = time.perf_counter()
        preferred.encode(password if isinstance(password, str) else _DUMMY_PASSWORD, preferred.salt())
        took = time.perf_counter() - run_started
        _preferred_cost[key] = took if estimate is None else 0.8 * estimate + 0.2 * took
    elif elapsed < estimate:
        time.sleep(estimate - elapsed)


# --- every failed login costs the slowest stored format ---------------------------------------

#: how long a wrong password against the slowest format stored takes: (seconds, measured at)
_slowest = {}
SLOWEST_TTL = 3600  # re-read the stored formats hourly (an import may add slower ones)
BCRYPT_COSTS = range(16, 9, -1)  # below 10, bcrypt is faster than any argon2id a shop would use


def stored_bcrypt_cost():
    """(cost, wrapped) of the slowest bcrypt stored in ``User.password`` (plain or wrapped), or (0, False).

    At most a few indexed-free queries, once an hour per process (``SLOWEST_TTL``)."""
    from django.contrib.auth import get_user_model

    users = get_user_model()._default_manager
    for cost in BCRYPT_COSTS:
        found = users.filter(password__regex=rf"\$2[abxy]\${cost:02d}\$")
        if found.exists():
            return cost, found.filter(password__startswith="argon2w$").exists()
    return 0, False


def _measure(func):
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def slowest_check():
    """Seconds a wrong password against the slowest stored format takes here (at least one preferred hash)."""
    cached = _slowest.get("value")
    if cached is not None and time.monotonic() - cached[1] < SLOWEST_TTL:
        return cached[0]
    import bcrypt

    argon2 = _preferred_seconds()
    cost, wrapped = stored_bcrypt_cost()
    seconds = argon2
    if cost:
        slow = _measure(lambda: bcrypt.hashpw(_DUMMY_PASSWORD.encode(), bcrypt.gensalt(cost)))
        seconds = max(argon2, slow + (argon2 if wrapped else 0.0))
    _slowest["value"] = (seconds, time.monotonic())
    return seconds


def _preferred_seconds():
    """One run of the preferred hasher, measured outside Django's hasher classes (argon2-cffi itself)."""
    preferred = get_hasher("default")
    if getattr(preferred, "only_verifies", False):
        return 0.0
    if preferred.algorithm == "argon2":
        import argon2

        ph = argon2.PasswordHasher(time_cost=preferred.time_cost, memory_cost=preferred.memory_cost,
                                   parallelism=preferred.parallelism)
        return _measure(lambda: ph.hash(_DUMMY_PASSWORD))
    return _measure(lambda: preferred.encode(_DUMMY_PASSWORD, preferred.salt()))


def _preferred_once():
    """Seconds of one preferred-hasher run here, measured once per process (the padding's lower bound)."""
    if "preferred" not in _slowest:
        _slowest["preferred"] = _preferred_seconds()
    return _slowest["preferred"]


def forget_slowest():
    _slowest.clear()


def even_out_failure(started):
    """A failed login that began at ``started`` (``time.perf_counter()``) lasts as long as a wrong password
    against the slowest format stored: an unknown username, a wrong argon2id password and a wrong
    password of a slow legacy bcrypt (cost 13 is three times argon2id's) cannot be told apart. The
    difference is slept, not computed."""
    if not app_settings.LEGACY_EQUALISE_TIMING:
        return
    target = _preferred_once() if app_settings.FAILED_LOGIN_PADDING == "preferred" else slowest_check()
    elapsed = time.perf_counter() - started
    if elapsed < target:
        time.sleep(target - elapsed)
