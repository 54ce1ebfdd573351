"""wrap_legacy_hashes as an operator runs it: a separate process, on a real database, killed, rerun, raced."""

import random
import subprocess
import time

from django.contrib.auth.hashers import check_password

from secure_shopadmin.hashers.legacy_make import make_legacy_password

from .external import manage, run_manage

#: settings of the killed and raced runs: a costlier wrap, so the run lasts long enough to interfere with
SLOW_WRAP_SETTINGS = """
from tests.settings import *  # noqa: F401,F403
from tests.settings import SECURE_SHOPADMIN
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "WRAP_ARGON2_PARAMS": (%d, %d, 1)}
"""


def members(count):
    password_of = {f"member{i:04d}": f"old password {i}" for i in range(count)}
    schemes = ("md5", "opencart", "md5_salted")
    rows = [(username, make_legacy_password(schemes[i % 3], password))
            for i, (username, password) in enumerate(password_of.items())]
    return password_of, rows


def slow_wrap(tmp_path, time_cost, memory_kib):
    (tmp_path / "slow_wrap_settings.py").write_text(SLOW_WRAP_SETTINGS % (time_cost, memory_kib))
    return {"settings_module": "slow_wrap_settings", "extra_path": [tmp_path]}


def wrapped_users(passwords):
    return {username: value for username, value in passwords.items() if value.startswith("argon2w$")}


def test_killed_mid_run_then_rerun_loses_nothing_and_wraps_nothing_twice(external_db, tmp_path):
    password_of, rows = members(150)
    external_db.add_users(rows)
    process = manage(external_db.url, "wrap_legacy_hashes", "--noinput", "--no-progress", "--batch-size", "10",
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **slow_wrap(tmp_path, 1, 8192))
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if len(wrapped_users(external_db.passwords())) >= 15:
            process.kill()  # SIGKILL: no handler, no cleanup, possibly inside a transaction
            break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -9, "the wrap finished before it could be killed"

    after_kill = external_db.passwords()
    first_run = wrapped_users(after_kill)
    assert 15 <= len(first_run) < len(rows)
    assert all(check_password(password_of[u], value) for u, value in after_kill.items())

    out = run_manage(external_db.url, "wrap_legacy_hashes", "--noinput", "--no-progress")
    assert f"Wrapped {len(rows) - len(first_run)} users" in out
    final = external_db.passwords()
    assert wrapped_users(final).keys() == final.keys()
    assert {u: final[u] for u in first_run} == first_run  # the first run's values were not wrapped again
    assert all(check_password(password_of[u], value) for u, value in final.items())


def test_logins_during_the_wrap_lose_nothing(external_db, tmp_path):
    password_of, rows = members(120)
    external_db.add_users(rows)
    process = manage(external_db.url, "wrap_legacy_hashes", "--noinput", "--no-progress", "--workers", "2",
                     "--batch-size", "8", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     **slow_wrap(tmp_path, 1, 8192))
    waiting = list(password_of)
    random.Random(7).shuffle(waiting)
    logged_in = set()
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if not logged_in and not wrapped_users(external_db.passwords()):
            time.sleep(0.01)  # start logging in once the wrap is writing
            continue
        if not waiting:
            time.sleep(0.01)
            continue
        username = waiting.pop()
        assert external_db.login(username, password_of[username]), username
        logged_in.add(username)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert logged_in, "the logins did not overlap the wrap"

    final = external_db.passwords()
    for username, value in final.items():
        expected = "argon2$argon2id$" if username in logged_in else "argon2w$"
        assert value.startswith(expected), username
        assert check_password(password_of[username], value), username
