"""The only code a wrap worker process runs: argon2id, no Django, no database, no settings.

Kept apart so a spawned worker imports nothing but argon2-cffi; parameters travel as a plain tuple.
"""

import os
import threading
import time

from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw

TAG_BYTES = 16  # 128 bits, RFC 9106's advice for password hashing; keeps every wrapped value in 128 characters


def argon2_tag(secret, salt, time_cost, memory_cost, parallelism):
    return hash_secret_raw(
        secret.encode(), salt, time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
        hash_len=TAG_BYTES, type=Type.ID, version=ARGON2_VERSION,
    )


def argon2_tags(secrets_and_salts, params):
    """argon2id tags of [(secret, salt), ...] with params = (time_cost, memory_cost KiB, parallelism)."""
    return [argon2_tag(secret, salt, *params) for secret, salt in secrets_and_salts]


def exit_with_parent(parent_pid, every=1.0):
    """Worker initializer: end this process once its parent is gone (killed, even with SIGKILL), instead
    of waiting forever on a queue nobody writes to any more."""

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
