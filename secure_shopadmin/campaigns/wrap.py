"""Wrapping the fast legacy hashes of one batch of targets, with the hashers' own pieces.

The argon2 work (inline or in the worker processes of ``hashers.wrapping``) happens before the
batch's transaction; inside it each value is written with the same compare-and-set as
``wrap_legacy_hashes`` (``UPDATE … WHERE pk = … AND password = <the value read>``), so a login that
changed the password meanwhile wins and a rerun never wraps twice (a wrapped value is no longer legacy).

:func:`wrap_range` is one task of ``wrap_legacy_hashes --distribute``: the users of one primary-key
range, wrapped by ``hashers.wrapping`` with the same compare-and-set.
"""

import os
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..hashers.argon2_worker import argon2_tags
from ..hashers.wrapped import SALT_BYTES, Argon2Params, assemble, wrap_input
from ..hashers.wrapping import KEEP_SLOW, chunk_size_for, classify, wrap_all
from ..hashers.wrapping import MALFORMED as HASHER_MALFORMED
from .sql import update_by_pk

WRAPPED, SLOW, NONE, CHANGED, MALFORMED, SKIPPED = "wrapped", "slow", "none", "changed", "bad", "skipped"


@dataclass
class Pending:
    """Tags computed for one batch, to be written in its transaction."""

    jobs: list = field(default_factory=list)  # (target_id, user_pk, old value, scheme, rest, salt, tag)
    states: dict = field(default_factory=dict)  # target_id -> state for targets not to be written


def compute(executor, rows, params, batch_size):
    """rows: [(target_id, user_pk, password)]; hash every fast legacy value (in parallel if the
    executor has workers). Returns a :class:`Pending`."""
    pending = Pending()
    work = []
    for target_id, pk, encoded in rows:
        try:
            scheme, digest, rest = wrap_input(encoded or "")
        except ValueError:
            found = classify(encoded or "")
            if found is None:
                pending.states[target_id] = NONE
            else:
                pending.states[target_id] = SLOW if found[1] == KEEP_SLOW else (
                    MALFORMED if found[1] == HASHER_MALFORMED else NONE)
            continue
        work.append((target_id, pk, encoded, scheme, digest, rest, os.urandom(SALT_BYTES)))
    size = chunk_size_for(params, batch_size)
    chunks = [work[i:i + size] for i in range(0, len(work), size)]
    futures = [executor.submit(argon2_tags, [(w[4], w[6]) for w in chunk], params.as_tuple()) for chunk in chunks]
    for chunk, future in zip(chunks, futures, strict=True):
        for (target_id, pk, old, scheme, _digest, rest, salt), tag in zip(chunk, future.result(), strict=True):
            pending.jobs.append((target_id, pk, old, scheme, rest, salt, tag))
    return pending


def write(pending, params):
    """Compare-and-set each value (call inside the batch's transaction); returns {target_id: state}."""
    states = dict(pending.states)
    new, old, target_of = {}, {}, {}
    for target_id, pk, old_value, scheme, rest, salt, tag in pending.jobs:
        try:
            new[pk] = assemble(scheme, rest, params, salt, tag)
        except ValueError:
            states[target_id] = MALFORMED
            continue
        old[pk], target_of[pk] = old_value, target_id
    written = set(update_by_pk(get_user_model(), "password", new, where_equal=old)) if new else set()
    for pk, target_id in target_of.items():
        states[target_id] = WRAPPED if pk in written else CHANGED
    return states


def wrap_range(after, upto, params, reason=""):
    """Wrap the fast legacy hashes of the users with ``after < pk <= upto`` (either may be None) at ``params``
    ((time_cost, memory_cost KiB, parallelism)); one ``hash_wrap`` event; returns the counts.

    Hashes in this process: a task queue's worker runs one task per process, so the queue's
    concurrency is the wrap's. Run again (or run the range again), it wraps only what is left.
    """
    params = Argon2Params(*params)
    started = time.monotonic()
    report = wrap_all(params, batch_size=app_settings.WRAP_BATCH_SIZE, workers=1, pk_range=(after, upto))
    details = report.as_details()
    record(EventKind.HASH_WRAP, reason=reason, params=str(params), workers=1, interrupted=False,
           seconds=round(time.monotonic() - started, 1), pk_after=after, pk_upto=upto, **details)
    return details
