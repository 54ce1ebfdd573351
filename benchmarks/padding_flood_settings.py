"""Settings of ``padding_flood.py``: the example shop behind a trusted proxy (each client names its address in
``X-Forwarded-For``), the failed-login padding from ``SSA_PADDING`` (``slowest`` or ``preferred``)."""

import os

from shopconsole.settings import *  # noqa: F401,F403
from shopconsole.settings import SECURE_SHOPADMIN

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "LOCKOUT_TRUSTED_PROXIES": ["127.0.0.1"], "LOGIN_ALERTS": False,
                    "FAILED_LOGIN_PADDING": os.environ.get("SSA_PADDING", "slowest")}
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "CRITICAL"}}
