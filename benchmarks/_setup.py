"""Shared start-up of the benchmark scripts: the example project on a throw-away database."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(url):
    """Create the PostgreSQL database of ``url`` if it does not exist yet; on any failure exit with one line.

    SQLite needs nothing; another server's database must exist (the line says which to create).
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme.startswith("sqlite") or not name:
        return
    if not parts.scheme.startswith("postgres"):
        return
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        sys.exit(f"{parts.scheme} needs psycopg: pip install -e '.[test]' (or create {name!r} and install a driver)")
    try:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True,
                             connect_timeout=5) as admin:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}", file=sys.stderr)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        host = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        sys.exit(f"cannot create the benchmark database {name!r} on {host} ({reason}): "
                 f"start PostgreSQL there and run `createdb -h {parts.hostname or 'localhost'} {name}`, "
                 "or set BENCH_DATABASE_URL to a database you can use")


def setup_django(database_url=None, settings_module="shopconsole.settings"):
    sys.path[:0] = [str(ROOT), str(ROOT / "example_project")]
    os.environ["DATABASE_URL"] = database_url or os.environ.get("BENCH_DATABASE_URL", "sqlite://:memory:")
    ensure_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
