"""The Japanese catalogue covers every string, and the compiled catalogue matches it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "secure_shopadmin"
PO = PACKAGE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) is not installed")


def msgids(po_file):
    import re

    text = po_file.read_text(encoding="utf-8")
    entries = re.findall(r'(?:^msgctxt "(.*)"\n)?^msgid ((?:".*"\n)+)', text, re.M)
    return {(ctx, "".join(re.findall(r'"(.*)"', ids))) for ctx, ids in entries} - {("", "")}


def test_every_string_is_translated():
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_catalogue_has_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the package finds no string that the catalogue lacks."""
    copy = tmp_path / "secure_shopadmin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-obsolete", "--no-location"],
                   cwd=copy, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin"})
    missing = msgids(copy / "locale/ja/LC_MESSAGES/django.po") - msgids(PO)
    assert not missing, f"strings missing from the ja catalogue (run `make messages`): {sorted(missing)[:10]}"


def test_compiled_catalogue_is_current(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
    assert MO.read_bytes() == fresh.read_bytes(), "django.mo is stale: run `make messages`"
