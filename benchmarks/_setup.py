"""Shared start-up of the benchmark scripts: the example project on a throw-away database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url=None, settings_module="shopconsole.settings"):
    sys.path[:0] = [str(ROOT), str(ROOT / "example_project")]
    os.environ["DATABASE_URL"] = database_url or os.environ.get("BENCH_DATABASE_URL", "sqlite://:memory:")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
