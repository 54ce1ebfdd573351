"""A brand-new ``django-admin startproject`` site that follows only the README's "add it to your shop".

The README's ``# settings.py`` block is appended to the generated settings, its ``# urls.py`` block is
the site's ``urls.py``, literally. The site then passes ``check --deploy`` with no ``secure_shopadmin``
finding (``DEBUG = False`` and the environment values), and its first superuser, made with
``createsuperuser``, logs in in Chromium, gets the enrolment link by mail (printed by the console
backend, as the README says for ``DEBUG``), enrols an authenticator and reaches the admin. In CI the
site runs in a clean venv holding only the wheel (``SSA_SMOKE_PYTHON``).
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
#: the interpreter of the site: this venv, or (CI's package smoke test) a clean venv holding only the wheel
PYTHON = os.environ.get("SSA_SMOKE_PYTHON", sys.executable)
OWNER_PASSWORD = "a first owner's long passphrase 7"


def readme_block(first_line):
    """The README's fenced python block whose first line is ``first_line``."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    found = [block for block in blocks if block.splitlines()[0] == first_line]
    assert len(found) == 1, f"the README needs one ```python block starting with {first_line!r}"
    return found[0]


def environment(**values):
    leave_out = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the tests'
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    return {**env, **values}


def run(args, cwd, env):
    result = subprocess.run([PYTHON, *args], cwd=cwd, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def fresh_site(path, debug=True):
    """startproject + the README's blocks, literally; returns the project directory."""
    run(["-m", "django", "startproject", "myshop", str(path)], cwd=path, env=environment())
    settings = path / "myshop" / "settings.py"
    source = settings.read_text()
    if not debug:
        assert "\nDEBUG = True\n" in source
        source = source.replace("\nDEBUG = True\n", "\nDEBUG = False\n")
    settings.write_text(source + "\n" + readme_block("# settings.py"))
    (path / "myshop" / "urls.py").write_text(readme_block("# urls.py"))
    return path


def production_values(site_url="https://shop.example"):
    from cryptography.fernet import Fernet

    return {"SITE_URL": site_url, "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SECURITY_CONTACTS": "security@shop.example"}


def test_the_readme_blocks_are_short():
    settings = readme_block("# settings.py").strip().splitlines()
    assert len(settings) <= 5, settings
    assert "configure(globals())" in readme_block("# settings.py")
    assert 'include("secure_shopadmin.urls")' in readme_block("# urls.py")


def test_a_fresh_site_passes_check_deploy(tmp_path):
    site = fresh_site(tmp_path, debug=False)
    env = environment(**production_values())
    run(["manage.py", "migrate", "-v0"], cwd=site, env=env)
    checked = subprocess.run([PYTHON, "manage.py", "check", "--deploy"], cwd=site, capture_output=True, text=True,
                             timeout=180, env=env)
    output = checked.stdout + checked.stderr
    assert "System check identified" in output and "secure_shopadmin" not in output, output
    # (Django's own findings are the site's to fix: its SECRET_KEY, ALLOWED_HOSTS, HSTS, a real mail backend)
    # without the environment, the deploy check names what is missing
    result = subprocess.run([PYTHON, "manage.py", "check", "--deploy"], cwd=site, capture_output=True, text=True,
                            timeout=180, env=environment())
    assert "secure_shopadmin.E010" in result.stderr + result.stdout
    assert "secure_shopadmin.E012" in result.stderr + result.stdout


def test_an_app_added_the_usual_way_gets_errors_that_name_the_fix(tmp_path):
    """Only "secure_shopadmin" added to a fresh site's INSTALLED_APPS: check lists what is missing, no traceback."""
    run(["-m", "django", "startproject", "myshop", str(tmp_path)], cwd=tmp_path, env=environment())
    settings = tmp_path / "myshop" / "settings.py"
    source = settings.read_text()
    assert "'django.contrib.staticfiles',\n]" in source
    settings.write_text(source.replace("'django.contrib.staticfiles',\n]",
                                       "'django.contrib.staticfiles',\n    'secure_shopadmin',\n]"))
    checked = subprocess.run([PYTHON, "manage.py", "check"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=180, env=environment())
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1 and "Traceback" not in output, output
    reported = re.findall(r"\(secure_shopadmin\.(E\d+)\) (.*)\n\tHINT: (.*)", output)
    errors = {id_: message for id_, message, _ in reported}
    hints = [hint for _, _, hint in reported]
    assert sorted(errors) == ["E003", "E004", "E006", "E007"], output
    assert "django_otp" in errors["E003"] and "axes" in errors["E003"]
    for middleware in ("django_otp.middleware.OTPMiddleware", "secure_shopadmin.middleware.SecureShopAdminMiddleware",
                       "axes.middleware.AxesMiddleware"):
        assert middleware in errors["E004"]
    assert "axes.backends.AxesStandaloneBackend" in errors["E006"]
    assert "Argon2PasswordHasher" in errors["E007"]
    fix = "secure_shopadmin.quickstart.configure(globals())"
    assert all(fix in hint for hint in hints), hints
    assert "(fields.E" not in output  # every model of the app is registered, the admin's panels or not


def free_port():
    if os.environ.get("SSA_TEST_PORT"):
        return int(os.environ["SSA_TEST_PORT"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.browser
def test_the_first_superuser_enrols_by_the_mailed_link_and_reaches_the_admin(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site = fresh_site(tmp_path)
    env = environment(SITE_URL=base, DJANGO_SUPERUSER_PASSWORD=OWNER_PASSWORD, PYTHONUNBUFFERED="1")
    run(["manage.py", "migrate", "-v0"], cwd=site, env=env)
    run(["manage.py", "createsuperuser", "--noinput", "--username", "owner", "--email", "owner@shop.example"],
        cwd=site, env=env)
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=site,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Quit the server" in log.read_text() or server.poll() is not None, "the server")
        assert server.poll() is None, log.read_text()
        in_own_thread(lambda: enrol_in_chromium(base, log))  # its own thread: the suite's Playwright runs in this one
    finally:
        server.terminate()
        server.wait(timeout=20)


def in_own_thread(work):
    """Run ``work`` in a thread of its own (Playwright's sync API refuses a thread whose loop runs); re-raise."""
    errors = []

    def run_it():
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            errors.append(error)

    thread = threading.Thread(target=run_it)
    thread.start()
    thread.join(timeout=300)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "the browser did not finish"


def enrol_in_chromium(base, log):
    import pyotp
    from playwright.sync_api import sync_playwright

    from .browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(20000)
        page.goto(f"{base}/admin/")
        page.fill("#id_username", "owner")
        page.fill("#id_password", OWNER_PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.click("input[type=submit]")
        assert page.url == f"{base}/security/2fa/mailed/", page.content()
        assert page.locator("#mail-sent").is_visible() and page.locator("#mail-on-console").is_visible()
        link = wait_for(lambda: re.search(rf"{re.escape(base)}/security/2fa/link/[\w-]+/", log.read_text()),
                        "the enrolment mail").group(0)
        assert "To: owner@shop.example" in log.read_text()
        page.goto(link)
        with page.expect_navigation(wait_until="load"):
            page.click("#link-form input[type=submit]")
        totp = pyotp.TOTP(page.inner_text("#totp-key").replace(" ", ""))
        page.fill("#id_otp_token", totp.now())
        with page.expect_navigation(wait_until="load"):
            page.click("#enrol-form input[type=submit]")
        assert page.locator("#recovery-codes li").count() == 10
        page.check("#id_saved")
        with page.expect_navigation(wait_until="load"):
            page.click("#continue")
        assert page.url == f"{base}/admin/"
        assert page.locator("#site-name").is_visible() and "Site administration" in page.content()
        browser.close()
