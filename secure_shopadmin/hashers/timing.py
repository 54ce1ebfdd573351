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
