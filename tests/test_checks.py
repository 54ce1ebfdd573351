"""Each system check names what a host project is missing, with its id."""

import pytest
from django.core import checks
from django.core.management import call_command

from secure_shopadmin import checks as ssa_checks
from secure_shopadmin.conf import app_settings


def ids(errors):
    return [e.id for e in errors]


def test_example_project_passes_every_check():
    found = checks.run_checks(tags=[checks.Tags.security])
    assert [e for e in found if e.id.startswith("secure_shopadmin")] == []


def test_unknown_settings_key_is_reported(settings):
    settings.SECURE_SHOPADMIN = {"SHOP_NAME": "x", "PARTIAL_LOGIN_TIMOUT": 5}
    errors = ssa_checks.check_settings_dict()
    assert ids(errors) == ["secure_shopadmin.E002"]
    assert "PARTIAL_LOGIN_TIMOUT" in errors[0].msg


def test_settings_must_be_a_dict(settings):
    settings.SECURE_SHOPADMIN = ["SHOP_NAME"]
    assert ids(ssa_checks.check_settings_dict()) == ["secure_shopadmin.E001"]


def test_settings_reload_on_change(settings):
    settings.SECURE_SHOPADMIN = {"PARTIAL_LOGIN_TIMEOUT": 42}
    assert app_settings.PARTIAL_LOGIN_TIMEOUT == 42
    settings.SECURE_SHOPADMIN = {}
    assert app_settings.PARTIAL_LOGIN_TIMEOUT == 300


def test_missing_app(settings):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "django_otp"]
    errors = ssa_checks.check_installed_apps()
    assert ids(errors) == ["secure_shopadmin.E003"] and "django_otp" in errors[0].msg


def test_missing_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "secure_shopadmin" not in m]
    assert ids(ssa_checks.check_middleware()) == ["secure_shopadmin.E004"]


def test_middleware_order(settings):
    middleware = list(settings.MIDDLEWARE)
    ours = "secure_shopadmin.middleware.SecureShopAdminMiddleware"
    middleware.remove(ours)
    middleware.insert(1, ours)
    settings.MIDDLEWARE = middleware
    assert ids(ssa_checks.check_middleware()) == ["secure_shopadmin.E005"]


def test_axes_backend_first(settings):
    settings.AUTHENTICATION_BACKENDS = list(reversed(settings.AUTHENTICATION_BACKENDS))
    assert ids(ssa_checks.check_authentication_backends()) == ["secure_shopadmin.E006"]


@pytest.mark.parametrize("hashers", [
    ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"],
    ["no.such.Hasher"],
    [],
])
def test_argon2_first(settings, hashers):
    settings.PASSWORD_HASHERS = hashers
    assert ids(ssa_checks.check_password_hashers()) == ["secure_shopadmin.E007"]


def test_deploy_encryption_keys(settings):
    settings.SECURE_SHOPADMIN = {"ENCRYPTION_KEYS": []}
    assert "secure_shopadmin.E010" in ids(ssa_checks.check_deployment())
    settings.SECURE_SHOPADMIN = {"ENCRYPTION_KEYS": ["not-a-fernet-key"]}
    assert "secure_shopadmin.E011" in ids(ssa_checks.check_deployment())


def test_deploy_cookie_flags(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert ids(ssa_checks.check_deployment()) == [
        "secure_shopadmin.W001", "secure_shopadmin.W003", "secure_shopadmin.W004"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    assert ssa_checks.check_deployment() == []


def test_checks_do_not_touch_the_database():
    # Without the db fixture pytest-django makes any query raise.
    call_command("check", "--deploy", "--tag", "security", "--fail-level", "CRITICAL", verbosity=0)


def test_axes_lockout_callable(settings):
    settings.AXES_LOCKOUT_CALLABLE = None
    assert ids(ssa_checks.check_axes_settings()) == ["secure_shopadmin.W005"]


def test_app_order(settings):
    apps = [a for a in settings.INSTALLED_APPS if a != "secure_shopadmin"]
    settings.INSTALLED_APPS = ["secure_shopadmin", *apps]
    assert ids(ssa_checks.check_installed_apps()) == ["secure_shopadmin.E008"]
