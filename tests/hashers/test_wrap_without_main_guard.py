"""``call_command("wrap_legacy_hashes")`` from a script with no ``if __name__ == "__main__"`` guard (a data
migration's helper, a task module, a notebook cell): the worker processes must not run the script again.

The script is run both ways Python makes a main module: by its path and with ``-m`` by its name.
"""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import check_password

from secure_shopadmin.hashers.legacy_make import make_legacy_password

from .external import EXAMPLE, ROOT

SCRIPT = """
import django

django.setup()
from django.core.management import call_command

print("script body ran")
call_command("wrap_legacy_hashes", "--noinput", "--no-progress", "--workers", "2", "--batch-size", "4")
"""


@pytest.mark.parametrize("how", ["path", "module"])
def test_call_command_from_a_script_without_a_main_guard(external_db, tmp_path, how):
    password_of = {f"member{i:02d}": f"old password {i}" for i in range(12)}
    external_db.add_users([(name, make_legacy_password("md5", pw)) for name, pw in password_of.items()])
    (tmp_path / "unguarded_wrap.py").write_text(SCRIPT)
    env = {**os.environ, "DATABASE_URL": external_db.url, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT), str(EXAMPLE)])}
    argv = [str(tmp_path / "unguarded_wrap.py")] if how == "path" else ["-m", "unguarded_wrap"]
    done = subprocess.run([sys.executable, *argv], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("script body ran") == 1  # the workers did not run the script again
    assert "Wrapped 12 users" in done.stdout
    passwords = external_db.passwords()
    assert all(value.startswith("argon2w$") for value in passwords.values())
    assert all(check_password(password_of[name], value) for name, value in passwords.items())
