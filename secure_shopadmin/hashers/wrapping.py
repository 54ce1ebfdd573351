"""The work of ``wrap_legacy_hashes``: wrap every fast legacy hash in argon2id while the shop stays online.

Users are read in primary-key order, a batch at a time (keyset: ``pk > last``). The argon2 work runs
inline or in worker processes that see no database; each result is written with a compare-and-set
``UPDATE … WHERE pk = … AND password = <the value read>``, so a login that upgraded the user
meanwhile wins. A wrapped value no longer carries a fast legacy prefix, so a second run (after a
crash or a kill) skips it: the command is idempotent and resumable.
"""

import multiprocessing
import multiprocessing.context
import os
import sys
import types
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from .argon2_worker import argon2_tags, exit_with_parent
from .base import SLOW
from .schemes import LEGACY_HASHERS, legacy_hasher_of
from .wrapped import ALGORITHM as WRAPPED_ALGORITHM
from .wrapped import SALT_BYTES, assemble, wrap_input

WRAP, KEEP_SLOW, MALFORMED, ALREADY_WRAPPED = "wrap", "slow", "malformed", "wrapped"
#: about this much argon2 work per chunk (hashed, then written in one transaction): long enough that the
#: parent's write and commit of a chunk stay short beside it, even on a loaded machine (at OWASP's
#: minimum, about 12 users a chunk), short enough that the progress bar moves and a kill loses little
CHUNK_MICROSECONDS = 500_000


def _prefix_q(algorithms):
    return reduce(or_, (Q(password__startswith=f"{algorithm}$") for algorithm in algorithms))


def wrappable_algorithms():
    """Algorithms whose values may be wrapped (magento2 holds fast and slow chains: decided per value)."""
    return tuple(cls.algorithm for cls in LEGACY_HASHERS if cls.cost != SLOW)


def classify(encoded):
    """(scheme, WRAP | KEEP_SLOW | MALFORMED | ALREADY_WRAPPED) of a value, or None if it is no concern of ours."""
    if encoded.startswith(f"{WRAPPED_ALGORITHM}$"):
        return encoded.split("$", 2)[1], ALREADY_WRAPPED
    hasher = legacy_hasher_of(encoded)
    if hasher is None:
        return None
    try:
        _, rest = hasher.split(hasher.body(encoded))
        return hasher.scheme, (WRAP if hasher.wrappable(rest) else KEEP_SLOW)
    except ValueError:
        return hasher.scheme, MALFORMED


def survey(user_model=None):
    """{state: Counter(scheme)} over every legacy or wrapped user; what ``--dry-run`` prints."""
    user_model = user_model or get_user_model()
    algorithms = (*(cls.algorithm for cls in LEGACY_HASHERS), WRAPPED_ALGORITHM)
    counts = {state: Counter() for state in (WRAP, KEEP_SLOW, MALFORMED, ALREADY_WRAPPED)}
    passwords = user_model._base_manager.filter(_prefix_q(algorithms)).values_list("password", flat=True)
    for encoded in passwords.iterator(chunk_size=2000):
        scheme, state = classify(encoded)
        counts[state][scheme] += 1
    return counts


def candidates(user_model=None, pk_range=None):
    """Users whose password looks wrappable, in primary-key order; ``pk_range`` = (after, up to), either None."""
    user_model = user_model or get_user_model()
    return in_pk_range(user_model._base_manager.filter(_prefix_q(wrappable_algorithms())), pk_range)


def in_pk_range(rows, pk_range=None):
    """``rows`` with a primary key in ``pk_range`` = (after, up to), either None, in primary-key order."""
    after, upto = pk_range or (None, None)
    if after is not None:
        rows = rows.filter(pk__gt=after)
    if upto is not None:
        rows = rows.filter(pk__lte=upto)
    return rows.order_by("pk")


def count_candidates(user_model=None, pk_range=None):
    return candidates(user_model, pk_range).count()


def pk_ranges(task_size, user_model=None):
    """[(after, up to)] covering every candidate, about ``task_size`` candidates each (see :func:`ranges_of`)."""
    return ranges_of(candidates(user_model), task_size)


def ranges_of(rows, task_size):
    """[(after, up to)] covering the rows of ``rows`` (a queryset), about ``task_size`` rows each.

    Bounds are primary keys of rows, so the ranges hold the same number however sparse the rows
    are; the first starts at None and the last ends at None (rows added meanwhile too).
    """
    ranges, after, count = [], None, 0
    for pk in rows.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000):
        count += 1
        if count == task_size:
            ranges.append((after, pk))
            after, count = pk, 0
    if count:
        ranges.append((after, None))
    elif ranges:
        ranges[-1] = (ranges[-1][0], None)
    return ranges


def available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def available_memory_kib():
    """Memory the system can give without swapping (MemAvailable), or None where it cannot tell."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_workers(params):
    """One worker per CPU, but no more than half the available memory holds at ``params.memory_cost`` each."""
    cpus = available_cpus()
    memory = available_memory_kib()
    if memory is None:
        return cpus
    return max(1, min(cpus, memory // 2 // params.memory_cost))


@dataclass
class Job:
    pk: object
    old: str
    scheme: str
    digest: str
    rest: str
    salt: bytes = field(default_factory=lambda: os.urandom(SALT_BYTES))


@dataclass
class WrapReport:
    wrapped: Counter = field(default_factory=Counter)
    kept_slow: Counter = field(default_factory=Counter)
    malformed: Counter = field(default_factory=Counter)
    #: read as legacy, but a login (or anything else) had changed the password by the time of the write
    changed_meanwhile: int = 0

    def as_details(self):
        return {
            "wrapped": dict(self.wrapped), "kept_slow": dict(self.kept_slow), "malformed": dict(self.malformed),
            "changed_meanwhile": self.changed_meanwhile,
        }


def walk(user_model, batch_size, pk_range=None):
    """Batches of (pk, password) of wrappable-looking users, in primary-key order."""
    rows = candidates(user_model, pk_range)
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        batch = list(page.values_list("pk", "password")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def jobs(batches, report, progress, chunk_size):
    """Chunks of Jobs; rows that are not to be wrapped are counted in ``report`` and passed over."""
    chunk = []
    for batch in batches:
        for pk, encoded in batch:
            try:
                scheme, digest, rest = wrap_input(encoded)
            except ValueError:
                scheme, state = classify(encoded)
                (report.kept_slow if state == KEEP_SLOW else report.malformed)[scheme] += 1
                progress(1)
                continue
            chunk.append(Job(pk, encoded, scheme, digest, rest))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def write(user_model, chunk, tags, params, report):
    """Compare-and-set each wrapped value in one transaction; a row changed since it was read stays as it is."""
    rows = user_model._base_manager
    with transaction.atomic(using=rows.db):
        for job, tag in zip(chunk, tags, strict=True):
            try:
                new = assemble(job.scheme, job.rest, params, job.salt, tag)
            except ValueError:
                report.malformed[job.scheme] += 1
                continue
            if rows.filter(pk=job.pk, password=job.old).update(password=new):
                report.wrapped[job.scheme] += 1
            else:
                report.changed_meanwhile += 1


class InlineExecutor:
    """The executor interface, running each call at once in this process (``--workers 1``)."""

    def submit(self, fn, *args):
        future = Future()
        future.set_result(fn(*args))
        return future

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def chunk_size_for(params, batch_size):
    """Rows per chunk: argon2 takes roughly a microsecond per KiB per pass, so time_cost x memory_cost µs."""
    return max(1, min(batch_size, CHUNK_MICROSECONDS // (params.time_cost * params.memory_cost)))


@contextmanager
def main_module_hidden():
    """While a worker starts, the parent's ``__main__`` looks like a bare module with no file or name.

    A spawned child re-imports the parent's main module before it runs anything: a script that calls
    ``call_command("wrap_legacy_hashes")`` without an ``if __name__ == "__main__"`` guard (a data
    migration's helper, a task module, a notebook) would run again in every worker and break the
    pool. The workers run only :mod:`.argon2_worker`, imported by its own name, so they need none of it.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned process that starts without importing the parent's ``__main__``."""

    @staticmethod
    def _Popen(process_obj):
        with main_module_hidden():
            return multiprocessing.context.SpawnProcess._Popen(process_obj)


class WorkerContext(multiprocessing.context.SpawnContext):
    """The spawn start method (no fork of a process holding database connections and threads), with
    :class:`WorkerProcess` processes."""

    Process = WorkerProcess


def executor_for(workers):
    if workers <= 1:
        return InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=WorkerContext(), initializer=exit_with_parent,
                               initargs=(os.getpid(),))


def hash_chunks(executor, chunks, params, workers, write_chunk):
    """Hash each chunk of :class:`Job` in ``executor`` and ``write_chunk(chunk, tags)`` here, in order.

    At most two chunks per worker wait in the queue, so memory stays bounded and the workers never
    run dry while this process writes.
    """
    params_tuple = params.as_tuple()
    in_flight = deque()
    for chunk in chunks:
        in_flight.append((chunk, executor.submit(argon2_tags, [(j.digest, j.salt) for j in chunk], params_tuple)))
        if len(in_flight) > 2 * max(workers, 1) - 1:
            chunk, future = in_flight.popleft()
            write_chunk(chunk, future.result())
    while in_flight:
        chunk, future = in_flight.popleft()
        write_chunk(chunk, future.result())


def wrap_all(params, *, user_model=None, batch_size=500, workers=1, progress=None, before_write=None,
             pk_range=None):
    """Wrap every fast legacy hash (of the users in ``pk_range``, if given); returns a :class:`WrapReport`.

    At most ``workers`` argon2 computations run at once (memory: workers x params.memory_cost KiB),
    and at most two chunks per worker wait in the queue. ``before_write(chunk)`` is a test seam.
    """
    user_model = user_model or get_user_model()
    progress = progress or (lambda n: None)
    report = WrapReport()
    chunk_size = chunk_size_for(params, batch_size)

    def write_chunk(chunk, tags):
        if before_write:
            before_write(chunk)
        write(user_model, chunk, tags, params, report)
        progress(len(chunk))

    with executor_for(workers) as executor:
        hash_chunks(executor, jobs(walk(user_model, batch_size, pk_range), report, progress, chunk_size), params,
                    workers, write_chunk)
    return report
