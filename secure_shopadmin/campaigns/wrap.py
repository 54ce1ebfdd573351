"""Phase 3, wrap: the former fast legacy hashes of contained targets, wrapped in argon2id on every core.

Containment made each target's password unusable and kept its former hash, encrypted, on the reset
requirement (the new password must not match it). Here that kept hash is wrapped at
``WRAP_ARGON2_PARAMS`` by the worker pool of ``wrap_legacy_hashes`` (:mod:`..hashers.wrapping`:
processes per core, at most two chunks per worker queued) and written back encrypted with a
compare-and-set on the stored value, so a reset done meanwhile (which clears it) wins and a rerun
never wraps twice (the target's ``wrap_state`` is set in the same transaction).

With a task queue runner the wrap is split into primary-key ranges of targets
(:func:`wrap_range_of_campaign`, ``CAMPAIGN_WRAP_TASK_SIZE`` each) that any number of workers
share; :func:`wrap_range` is one task of ``wrap_legacy_hashes --distribute`` (users' own hashes).
"""

import os
import socket
import time
from dataclasses import dataclass

from django.db import transaction

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core import crypto
from ..hashers import wrapping
from ..hashers.wrapped import Argon2Params, assemble, wrap_input
from ..hashers.wrapping import (
    KEEP_SLOW,
    Job,
    chunk_size_for,
    classify,
    default_workers,
    executor_for,
    hash_chunks,
    wrap_all,
)
from ..hashers.wrapping import MALFORMED as HASHER_MALFORMED
from ..resets.models import ResetRequirement
from .models import CampaignTarget
from .sql import update_by_pk, update_columns

WRAPPED, SLOW, NONE, CHANGED, MALFORMED = "wrapped", "slow", "none", "changed", "bad"


@dataclass
class WrapCounts:
    wrapped: int = 0
    other: int = 0  # slow, none, changed or malformed


def todo(campaign, pk_range=None):
    """Contained targets whose kept hash was not looked at yet, in primary-key order."""
    rows = CampaignTarget.objects.filter(campaign=campaign, wrap_state="", required_at__isnull=False)
    return wrapping.in_pk_range(rows, pk_range)


def workers_for(params):
    return app_settings.CAMPAIGN_WRAP_WORKERS or default_workers(params)


def wrap_targets(campaign, params, *, workers=1, pk_range=None, batch_size=500, progress=None, after_chunk=None):
    """Wrap the kept hashes of the targets left (in ``pk_range``); returns :class:`WrapCounts`.

    ``progress(n)`` moves a bar; ``after_chunk()`` is called after each write (a heartbeat; a test seam).
    """
    counts = WrapCounts()

    def write_chunk(chunk, tags):
        write(chunk, tags, params, counts)
        if progress:
            progress(len(chunk))
        if after_chunk:
            after_chunk()

    chunks = jobs(todo(campaign, pk_range), batch_size, chunk_size_for(params, batch_size), counts, progress)
    with executor_for(workers) as executor:
        hash_chunks(executor, chunks, params, workers, write_chunk)
    return counts


def jobs(rows, batch_size, chunk_size, counts, progress):
    """Chunks of :class:`Job` (pk: (target, requirement), old: the stored ciphertext); the targets whose kept
    hash is not to be wrapped get their state here, a batch at a time."""
    last, chunk = 0, []
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", "requirement_id",
                                                          "requirement__old_password_wrapped")[:batch_size])
        if not batch:
            break
        last = batch[-1][0]
        states = {}
        for target_id, requirement_id, stored in batch:
            encoded = decrypted(stored)
            try:
                scheme, digest, rest = wrap_input(encoded)
            except ValueError:
                states[target_id] = state_of(encoded)
                continue
            chunk.append(Job((target_id, requirement_id), stored, scheme, digest, rest))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if states:
            update_columns(CampaignTarget, {"wrap_state": states})
            counts.other += len(states)
            if progress:
                progress(len(states))
    if chunk:
        yield chunk


def decrypted(stored):
    if not stored:
        return ""
    try:
        return crypto.decrypt(stored).decode()
    except crypto.InvalidToken:
        return ""


def state_of(encoded):
    found = classify(encoded) if encoded else None
    if found is None:
        return NONE
    return {KEEP_SLOW: SLOW, HASHER_MALFORMED: MALFORMED}.get(found[1], NONE)


def write(chunk, tags, params, counts):
    """Compare-and-set each kept hash with its wrapped value (encrypted) and the targets' states, in one
    transaction."""
    new, old, states = {}, {}, {}
    for job, tag in zip(chunk, tags, strict=True):
        target_id, requirement_id = job.pk
        try:
            value = assemble(job.scheme, job.rest, params, job.salt, tag)
        except ValueError:
            states[target_id] = MALFORMED
            continue
        new[requirement_id] = crypto.encrypt(value.encode())
        old[requirement_id] = job.old
    with transaction.atomic():
        written = set(update_by_pk(ResetRequirement, "old_password_wrapped", new, where_equal=old)) if new else set()
        for job in chunk:
            target_id, requirement_id = job.pk
            if target_id not in states:
                states[target_id] = WRAPPED if requirement_id in written else CHANGED
        update_columns(CampaignTarget, {"wrap_state": states})
    wrapped = sum(1 for state in states.values() if state == WRAPPED)
    counts.wrapped += wrapped
    counts.other += len(states) - wrapped


def wrap_range_of_campaign(campaign, after, upto, params):
    """One task of a distributed campaign wrap: the targets with ``after < pk <= upto``, hashed in this
    process (a task queue's worker runs one task per process: the queue's concurrency is the wrap's)."""
    params = Argon2Params(*params)
    started = time.monotonic()
    counts = wrap_targets(campaign, params, workers=1, pk_range=(after, upto),
                          batch_size=app_settings.WRAP_BATCH_SIZE)
    record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="wrap_range",
           pk_after=after, pk_upto=upto, wrapped=counts.wrapped, other=counts.other,
           seconds=round(time.monotonic() - started, 1), host=socket.gethostname(), pid=os.getpid())
    return counts


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
