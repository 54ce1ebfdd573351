"""A brand-new ``django-admin startproject`` site that follows only the README's "add it to your shop"."""

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

LOGIN_SCRIPT = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
User = get_user_model()
User.objects.create_user("boss", "boss@shop.example", "a long enough password 1", is_staff=True)
from django.conf import settings
locmem = "django.core.mail.backends.locmem.EmailBackend"
mailers = {"MAILERS": {"default": {"BACKEND": locmem}}} if hasattr(settings, "MAILERS") else {}  # Django 6.1+
with override_settings(EMAIL_BACKEND=locmem, ALLOWED_HOSTS=["testserver"], **mailers):
    from django.core import mail
    response = Client().post("/admin/login/", {"username": "boss", "password": "a long enough password 1"})
    print("REDIRECT", response.status_code, response["Location"], len(mail.outbox))
"""


def readme_block(heading_text, language):
    text = README.read_text()
    section = text[text.index(heading_text):]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


#: the interpreter of the site: this venv, or (CI's package smoke test) a clean venv holding only the wheel
PYTHON = os.environ.get("SSA_SMOKE_PYTHON", sys.executable)


def run(args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL")}
    result = subprocess.run([PYTHON, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_fresh_site_following_the_readme(tmp_path):
    run(["-m", "django", "startproject", "myshop", str(tmp_path)], cwd=tmp_path)
    settings_lines, = [b for b in readme_block("## Add it to your shop", "python") if "INSTALLED_APPS" in b]
    url_line, = [b for b in readme_block("## Add it to your shop", "python") if "include(" in b]
    settings_file = tmp_path / "myshop" / "settings.py"
    source = settings_file.read_text()
    middleware_start = source.index("MIDDLEWARE = [")
    middleware_end = source.index("]", middleware_start) + 1
    readme_middleware = re.search(r"MIDDLEWARE = \[.*?\n\]", settings_lines, re.S).group(0)
    ours = [line.strip().rstrip(",").strip('"') for line in readme_middleware.splitlines()
            if line.strip().startswith('"')]
    existing = re.findall(r"'([\w.]+)'|\"([\w.]+)\"", source[middleware_start:middleware_end])
    existing = [a or b for a, b in existing]
    auth_index = existing.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    merged = existing[:auth_index + 1] + [m for m in ours if m not in existing and "axes" not in m] + \
        existing[auth_index + 1:] + ["axes.middleware.AxesMiddleware"]
    source = source[:middleware_start] + "MIDDLEWARE = " + repr(merged) + source[middleware_end:]
    rest = re.sub(r"MIDDLEWARE = \[.*?\n\]\n", "", settings_lines, flags=re.S)
    settings_file.write_text(source + "\n" + rest)
    urls = tmp_path / "myshop" / "urls.py"
    urls.write_text(urls.read_text().replace("from django.urls import path", "from django.urls import include, path")
                    .replace("urlpatterns = [", "urlpatterns = [\n    " + url_line.strip()))
    run(["manage.py", "migrate", "-v0"], cwd=tmp_path)
    output = run(["manage.py", "check"], cwd=tmp_path)
    assert "secure_shopadmin" not in output
    output = run(["manage.py", "shell", "-c", LOGIN_SCRIPT], cwd=tmp_path)
    assert "REDIRECT 302 /security/2fa/mailed/ 1" in output
