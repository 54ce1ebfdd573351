"""Vectors computed by PHP itself (tests/hashers/vectors.php) when php-cli is installed."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("vectors.php")
PHP = shutil.which("php")

requires_php = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli)")


def php_vectors(cases):
    """[{"stored", "salt"}] for [{"scheme", "password", "salt", "count"}], from PHP."""
    done = subprocess.run([PHP, str(SCRIPT)], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
