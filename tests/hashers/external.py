"""A database of its own that a ``manage.py`` subprocess and this test process both see.

The pytest database lives in a transaction (or in memory on SQLite), invisible to a subprocess.
These tests build their own: a SQLite file, or on PostgreSQL ``<DATABASE_URL name>_cmd``, copied
from a migrated template. This process reads and writes it with the driver's own SQL, doing what a
login does (``UPDATE … SET password = … WHERE id = …``, as ``AbstractBaseUser.check_password``).
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.hashers import check_password, make_password

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example_project"


def manage(database_url, *args, settings_module="tests.settings", extra_path=(), **popen):
    """Run ``manage.py`` in a subprocess against ``database_url``; returns the Popen (started)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": os.pathsep.join([*map(str, extra_path), str(ROOT), str(EXAMPLE)]),
    }
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=EXAMPLE, env=env, text=True, **popen)


def run_manage(database_url, *args, **kwargs):
    process = manage(database_url, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


def is_postgres(url):
    return url.startswith(("postgres://", "postgresql://"))


class ExternalDatabase:
    def __init__(self, url):
        self.url = url
        self.postgres = is_postgres(url)
        self.placeholder = "%s" if self.postgres else "?"

    def connect(self):
        if self.postgres:
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        return sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)

    def execute(self, sql, params=(), many=False):
        sql = sql.replace("%s", self.placeholder)
        connection = self.connect()
        try:
            cursor = connection.cursor()
            (cursor.executemany if many else cursor.execute)(sql, params)
            return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def add_users(self, rows):
        """rows: [(username, password value)]."""
        self.execute(
            "INSERT INTO auth_user (username, password, email, first_name, last_name, is_superuser, is_staff, "
            "is_active, date_joined) VALUES (%s, %s, '', '', '', FALSE, FALSE, TRUE, CURRENT_TIMESTAMP)",
            rows, many=True,
        )

    def passwords(self):
        return dict(self.execute("SELECT username, password FROM auth_user"))

    def login(self, username, password):
        """What a login does to the row: check, and on success with an old hash, write the argon2id hash."""
        (pk, encoded), = self.execute("SELECT id, password FROM auth_user WHERE username = %s", (username,))
        upgraded = []
        correct = check_password(password, encoded, setter=lambda raw: upgraded.append(make_password(raw)))
        if upgraded:
            self.execute("UPDATE auth_user SET password = %s WHERE id = %s", (upgraded[0], pk))
        return correct


class ExternalDatabaseFactory:
    """Migrates one template per session; :meth:`fresh` hands each test a copy."""

    def __init__(self, base_url, workdir):
        self.base_url, self.workdir = base_url, Path(workdir)
        self.postgres = is_postgres(base_url)
        if self.postgres:
            parts = urlsplit(base_url)
            name = parts.path.lstrip("/") or "postgres"
            self.name, self.template = f"{name}_cmd", f"{name}_cmd_tpl"
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url_of = lambda db: urlunsplit(parts._replace(path=f"/{db}"))
            self._recreate(self.template)
            run_manage(self.url_of(self.template), "migrate", "--noinput", "-v0")
        else:
            self.template_file = self.workdir / "template.sqlite3"
            run_manage(f"sqlite:///{self.template_file}", "migrate", "--noinput", "-v0")
        self.count = 0

    def _admin(self, *statements):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def _recreate(self, name, template=None):
        suffix = f" TEMPLATE {template}" if template else ""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{suffix}')

    def fresh(self):
        self.count += 1
        if self.postgres:
            self._recreate(self.name, self.template)
            return ExternalDatabase(self.url_of(self.name))
        path = self.workdir / f"db{self.count}.sqlite3"
        shutil.copyfile(self.template_file, path)
        return ExternalDatabase(f"sqlite:///{path}")

    def close(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                        f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
