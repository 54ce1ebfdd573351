"""The console login with TOTP in Chromium, against the example project served over ASGI by uvicorn."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import STAFF_PASSWORD
from .actions import follow, log_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example_project"
MAKE_CLERK = f"""
from django.contrib.auth import get_user_model
from tests.conftest import enrol_device
clerk = get_user_model().objects.create_user("clerk", "clerk@shop.example", {STAFF_PASSWORD!r}, is_staff=True)
print("TOTP", enrol_device(clerk).secret)
"""


def free_port():
    if os.environ.get("SSA_TEST_PORT"):
        return int(os.environ["SSA_TEST_PORT"]) + 1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def uvicorn_site(tmp_path):
    """The example project on a fresh SQLite file, served by uvicorn; yields (base URL, TOTP secret)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")},
           "DJANGO_SETTINGS_MODULE": "shopconsole.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)]), "SHOP_SITE_URL": base, "DJANGO_DEBUG": "1",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=EXAMPLE, env=env, check=True, timeout=180)
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", MAKE_CLERK], cwd=EXAMPLE, env=env,
                          check=True, capture_output=True, text=True, timeout=120)
    secret = re.search(r"TOTP (\w+)", made.stdout).group(1)
    log = tmp_path / "uvicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "shopconsole.asgi:application", "--host",
                                   "127.0.0.1", "--port", str(port)], cwd=EXAMPLE, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "Uvicorn running" not in log.read_text() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.poll() is None and "Uvicorn running" in log.read_text(), log.read_text()
        yield base, secret, log
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_console_login_with_totp_over_asgi(uvicorn_site, page):
    import pyotp

    base, secret, log = uvicorn_site
    log_in(page, f"{base}/admin/login/")
    page.wait_for_url(f"{base}/security/2fa/verify/")
    page.goto(f"{base}/admin/auth/user/")  # nothing else before the code
    assert page.url == f"{base}/security/2fa/verify/"
    page.fill("#id_otp_token", pyotp.TOTP(secret).now())
    follow(page, "#verify-form input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    assert page.locator("#site-name").is_visible()
    assert page.request.get(f"{base}/static/admin/css/base.css").status == 200  # the admin's CSS, served in DEBUG
    assert '"GET /admin/ HTTP/1.1" 200' in log.read_text()  # uvicorn served it
