"""Settings of the example shop console: a small but real shop using secure_shopadmin.

The database comes from ``DATABASE_URL`` (default: a SQLite file beside this project), so the
same project runs on PostgreSQL (``postgres://…``) and MariaDB (``mysql://…``).
"""

import os
from pathlib import Path

import dj_database_url
import django

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-secret-key-change-me-0123456789abcdef")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "secure_shopadmin",
    "shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "secure_shopadmin.middleware.SecureShopAdminMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

from secure_shopadmin.hashers import recommended_hashers  # noqa: E402
from secure_shopadmin.quickstart import ADMIN_TEMPLATES_DIR  # noqa: E402

PASSWORD_HASHERS = recommended_hashers()

ROOT_URLCONF = "shopconsole.urls"
WSGI_APPLICATION = "shopconsole.wsgi.application"
ASGI_APPLICATION = "shopconsole.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ADMIN_TEMPLATES_DIR],  # the language switch on every admin page
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {})["charset"] = "utf8mb4"
    DATABASES["default"].setdefault("TEST", {})["CHARSET"] = "utf8mb4"
    DATABASES["default"]["TEST"]["COLLATION"] = "utf8mb4_unicode_ci"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "shop:login"
LOGIN_REDIRECT_URL = "shop:account"
LOGOUT_REDIRECT_URL = "shop:home"

# mails land as files in example_project/outbox/ (EMAIL_BACKEND in the environment chooses another backend)
_mail_backend = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
_mail_files = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "outbox"))
if django.VERSION >= (6, 1):  # MAILERS replaces the EMAIL_* settings
    MAILERS = {"default": {"BACKEND": _mail_backend,
                           "OPTIONS": {"file_path": _mail_files} if "filebased" in _mail_backend else {}}}
else:
    EMAIL_BACKEND, EMAIL_FILE_PATH = _mail_backend, _mail_files
DEFAULT_FROM_EMAIL = "Example Shop <security@shop.example>"

AXES_FAILURE_LIMIT = 5  # the guard's (account, IP) pair limit; its other rules are in SECURE_SHOPADMIN
AXES_COOLOFF_TIME = 0.25  # hours; the guard's own cool-offs grow per repeat (LOCKOUT_PAIR_COOLOFFS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False  # the pipeline clears counters only after the second factor too
AXES_DISABLE_ACCESS_LOG = True  # the guard reads no access log; False keeps one row per login for axes' admin
AXES_HANDLER = "secure_shopadmin.lockout.handler.GuardHandler"
AXES_CLIENT_IP_CALLABLE = "secure_shopadmin.net.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt never restarts a cool-off
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token", "token",
                             "new_password1", "new_password2", "old_password"]

SECURE_SHOPADMIN = {
    "SHOP_NAME": "Example Shop",
    "API_PREFIXES": ["/api/"],
    # Demo key only: a real shop keeps its key out of the code (an environment variable, a vault).
    "ENCRYPTION_KEYS": [os.environ.get("SHOP_ENCRYPTION_KEY", "hGG_h26svPpH_ZbxIqkdMNxUeBGN7SNXMIKDmtqZ65E=")],
    "SECURITY_CONTACTS": ["security@shop.example"],
    # the old platform's site-wide secrets (EC-CUBE's AUTH_MAGIC), needed to check its imported hashes
    "LEGACY_PEPPERS": {"eccube": os.environ.get("SHOP_ECCUBE_AUTH_MAGIC", "demo-eccube-auth-magic")},
    "SITE_URL": os.environ.get("SHOP_SITE_URL", "http://localhost:8000"),  # a domain name: passkeys need one
    # the security pages a member sees (resets, second factor, login history) wear the shop's look
    "STOREFRONT_BASE_TEMPLATE": "shop/base.html",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "secure_shopadmin.drf.CheckedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "secure_shopadmin.drf.PipelineChecksPermission",
        "rest_framework.permissions.IsAuthenticated",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"secure_shopadmin.security": {"handlers": ["console"], "level": "INFO"}},
}

# error reports hide passwords, codes and tokens in every frame
DEFAULT_EXCEPTION_REPORTER_FILTER = "secure_shopadmin.core.sensitive.SecretsExceptionReporterFilter"

AXES_LOCKOUT_CALLABLE = "secure_shopadmin.lockout.responses.axes_lockout_response"
