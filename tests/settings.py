"""Test settings: the example shop console, with a cheap argon2 cost and an in-memory mail outbox."""

import os

from shopconsole.settings import *  # noqa: F401,F403
from shopconsole.settings import DATABASES, PASSWORD_HASHERS
from tests.mailers import mail_settings

PASSWORD_HASHERS = [
    "tests.cheap_hashers.CheapArgon2PasswordHasher",
    *(h for h in PASSWORD_HASHERS if h != "django.contrib.auth.hashers.Argon2PasswordHasher"),
]
globals().update(mail_settings("django.core.mail.backends.locmem.EmailBackend"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
if os.environ.get("SSA_TEST_DATABASE_NAME"):  # the test database's own name (default: test_ + NAME)
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["SSA_TEST_DATABASE_NAME"]
