"""``secure_shopadmin.quickstart.configure(globals())``: the app added in one call, the host's own settings kept,
the result checked like the explicit form, and the docs saying what the README says."""

import os
import re
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.core import checks
from django.test import override_settings

from secure_shopadmin import quickstart

ROOT = Path(__file__).resolve().parent.parent
OURS = "secure_shopadmin.middleware.SecureShopAdminMiddleware"
OTP = "django_otp.middleware.OTPMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def startproject_settings(tmp_path, debug):
    """The namespace of a new ``startproject`` settings module (DEBUG as given)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    subprocess.run([sys.executable, "-m", "django", "startproject", "fresh", str(tmp_path)], check=True, env=env)
    source = (tmp_path / "fresh" / "settings.py").read_text()
    namespace = {"__file__": str(tmp_path / "fresh" / "settings.py")}
    exec(compile(source, "settings.py", "exec"), namespace)  # noqa: S102 (Django's own template)
    namespace["DEBUG"] = debug
    return namespace


def settings_of(namespace):
    return {k: v for k, v in namespace.items() if k.isupper()}


def test_a_new_site_gets_everything_in_one_call(tmp_path):
    namespace = startproject_settings(tmp_path, debug=False)
    changed = quickstart.configure(namespace)
    apps = namespace["INSTALLED_APPS"]
    assert apps[-3:] == ["django_otp", "axes", "secure_shopadmin"]
    middleware = namespace["MIDDLEWARE"]
    assert middleware.index(AUTH) + 1 == middleware.index(OTP) and middleware.index(OTP) + 1 == middleware.index(OURS)
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert namespace["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert namespace["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert namespace["SESSION_COOKIE_SECURE"] is namespace["CSRF_COOKIE_SECURE"] is True
    assert set(quickstart.AXES_SETTINGS) <= set(changed)
    assert quickstart.configure(namespace) == []  # a second call changes nothing


def test_what_the_host_set_on_purpose_is_kept(tmp_path):
    namespace = startproject_settings(tmp_path, debug=False)
    own_backends = ["myshop.auth.EmailBackend"]
    argon2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
    namespace.update({"AXES_FAILURE_LIMIT": 10, "PASSWORD_HASHERS": [argon2], "SESSION_COOKIE_SECURE": False,
                      "AUTHENTICATION_BACKENDS": own_backends,
                      "INSTALLED_APPS": [*namespace["INSTALLED_APPS"], "axes.apps.AppConfig"]})
    namespace["MIDDLEWARE"] = [*namespace["MIDDLEWARE"], "axes.middleware.AxesMiddleware", "myshop.Last"]
    quickstart.configure(namespace)
    assert namespace["AXES_FAILURE_LIMIT"] == 10 and namespace["SESSION_COOKIE_SECURE"] is False
    assert namespace["PASSWORD_HASHERS"] == [argon2]
    assert namespace["AUTHENTICATION_BACKENDS"] == ["axes.backends.AxesStandaloneBackend", *own_backends]
    assert namespace["INSTALLED_APPS"].count("axes.apps.AppConfig") == 1 and "axes" not in namespace["INSTALLED_APPS"]
    assert namespace["MIDDLEWARE"][-1] == "myshop.Last"  # django-axes' stays where the host put it


def test_in_debug_mails_are_printed_and_cookies_left_alone(tmp_path):
    namespace = startproject_settings(tmp_path, debug=True)
    quickstart.configure(namespace)
    assert "SESSION_COOKIE_SECURE" not in namespace
    if django.VERSION >= (6, 1):
        assert namespace["MAILERS"]["default"]["BACKEND"] == quickstart.CONSOLE_MAIL
    else:
        assert namespace["EMAIL_BACKEND"] == quickstart.CONSOLE_MAIL
    own = {"DEBUG": True, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    quickstart.configure(own)
    assert own["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend" and "MAILERS" not in own


def secure_shopadmin_findings(values):
    with override_settings(**values):
        return sorted(c.id for c in checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
                      if (c.id or "").startswith("secure_shopadmin.") and c.id not in ("secure_shopadmin.E012",))


def test_the_checks_verify_the_result_like_the_explicit_form(tmp_path, settings):
    namespace = startproject_settings(tmp_path, debug=False)
    quickstart.configure(namespace)
    wanted = {k: namespace[k] for k in ("MIDDLEWARE", "AUTHENTICATION_BACKENDS", "PASSWORD_HASHERS",
                                        *quickstart.AXES_SETTINGS)}  # (the test settings' apps hold the same)
    findings = secure_shopadmin_findings(wanted)
    assert not {"E004", "E005", "E006", "E007", "W005", "E030", "W031", "W032"} & {f.split(".")[1] for f in findings}
    broken = {**wanted, "MIDDLEWARE": [m for m in wanted["MIDDLEWARE"] if m != OURS]}
    assert "secure_shopadmin.E004" in secure_shopadmin_findings(broken)  # a later MIDDLEWARE = [...] is caught


def python_blocks(rst):
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)", rst)
    return ["\n".join(line[3:] for line in block.splitlines()).strip() + "\n" for block in blocks]


def test_the_explicit_form_in_the_docs_equals_what_configure_gives(tmp_path):
    installation = (ROOT / "docs" / "installation.rst").read_text()
    explicit = next(block for block in python_blocks(installation) if block.startswith("INSTALLED_APPS +="))
    by_hand = startproject_settings(tmp_path, debug=False)
    exec(compile(explicit.replace("[...]", "[]"), "explicit", "exec"), by_hand)  # noqa: S102
    helped = startproject_settings(tmp_path / "helped", debug=False)
    changed = quickstart.configure(helped)
    assert {name: by_hand[name] for name in changed} == {name: helped[name] for name in changed}


def test_the_installation_page_says_what_the_readme_says():
    readme = (ROOT / "README.md").read_text()
    readme_blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                     if b.startswith(("# settings.py", "# urls.py"))]
    docs_blocks = python_blocks((ROOT / "docs" / "installation.rst").read_text())
    assert len(readme_blocks) == 2
    for block in readme_blocks:
        assert block in docs_blocks, block
    readme_sh = re.findall(r"```sh\n(.*?)```", readme[readme.index("## Add it to your shop"):], re.S)
    installation = (ROOT / "docs" / "installation.rst").read_text()
    for block in readme_sh:
        for line in block.strip().splitlines():
            assert "   " + line in installation, line


@pytest.mark.parametrize("name", sorted(quickstart.AXES_SETTINGS))
def test_every_axes_value_the_guard_relies_on_is_in_the_explicit_form(name):
    assert name in (ROOT / "docs" / "installation.rst").read_text()


def test_djangos_console_backend_becomes_the_readable_one_in_debug():
    console = "django.core.mail.backends.console.EmailBackend"
    mailers = {"DEBUG": True, "MAILERS": {"default": {"BACKEND": console, "OPTIONS": {}}}}  # a 6.1 startproject's
    quickstart.configure(mailers)
    assert mailers["MAILERS"]["default"] == {"BACKEND": quickstart.CONSOLE_MAIL, "OPTIONS": {}}
    old = {"DEBUG": True, "EMAIL_BACKEND": console}
    quickstart.configure(old)
    assert old["EMAIL_BACKEND"] == quickstart.CONSOLE_MAIL
    production = {"DEBUG": False, "MAILERS": {"default": {"BACKEND": console}}}
    quickstart.configure(production)
    assert production["MAILERS"]["default"]["BACKEND"] == console  # without DEBUG, nothing about mail changes


def test_the_readable_console_backend_keeps_a_long_link_on_one_line():
    import io

    from django.contrib.auth import get_user_model

    from secure_shopadmin.core import console_mail, mail

    link = "https://shop.example/security/2fa/link/" + "A" * 60 + "/"
    message = mail.build_mail("enrolment_link", {"user": get_user_model()(username="owner"), "url": link,
                                                 "valid_hours": 24}, ["owner@shop.example"], "ja")
    stream = io.StringIO()
    console_mail.EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert f"\n{link}\n" in printed and "To: owner@shop.example" in printed and "二要素認証" in printed
