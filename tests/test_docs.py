"""The docs list every system check and every setting the code has."""

import re
from pathlib import Path

from secure_shopadmin.conf import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent


def test_every_check_id_is_documented():
    code = "\n".join(p.read_text() for p in (ROOT / "secure_shopadmin").rglob("*.py"))
    ids = set(re.findall(r'["(]((?:E|W)\d{3})[",]', code)) | set(re.findall(r"secure_shopadmin\.([EW]\d{3})", code))
    documented = set(re.findall(r"secure_shopadmin\.([EW]\d{3})", (ROOT / "docs" / "checks.rst").read_text()))
    assert ids, "no check ids found"
    assert sorted(ids - documented) == []


def test_settings_reference_is_generated_from_conf():
    conf = (ROOT / "docs" / "configuration.rst").read_text()
    assert ".. secure-shopadmin-settings::" in conf
    assert all(isinstance(meaning, str) and meaning for _default, meaning in DEFAULTS.values())
