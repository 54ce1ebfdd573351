"""Settings of the example shop for the two-server run: one PostgreSQL database and one Redis for both.

``DATABASE_URL`` names the shared database, ``SSA_REDIS_URL`` and ``SSA_REDIS_PREFIX`` the shared Redis;
the guard counts in Redis (``LOCKOUT_CACHE``) and sessions live there too, so either server can end a
session the other one opened. The loopback address is the trusted proxy: each client names its own
address in ``X-Forwarded-For``. argon2 runs at its lowest cost (the run checks limits, not cost), and
every hash and code check is counted per client address (``two_servers_counting``).
"""

import os

from shopconsole.settings import *  # noqa: F401,F403
from shopconsole.settings import MIDDLEWARE, PASSWORD_HASHERS, SECURE_SHOPADMIN

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["SSA_REDIS_URL"],
               "KEY_PREFIX": os.environ["SSA_REDIS_PREFIX"]},
}
SESSION_ENGINE = os.environ.get("SSA_SESSION_ENGINE", "django.contrib.sessions.backends.cache")
SESSION_CACHE_ALIAS = "shared"
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "LOCKOUT_CACHE": "shared", "LOCKOUT_TRUSTED_PROXIES": ["127.0.0.1"],
                    "LOGIN_ALERTS": False, "SITE_URL": "http://127.0.0.1"}
MIDDLEWARE = ["two_servers_counting.CountingMiddleware", *MIDDLEWARE]
PASSWORD_HASHERS = ["two_servers_counting.CountingHasher",
                    *(h for h in PASSWORD_HASHERS if h != "django.contrib.auth.hashers.Argon2PasswordHasher")]
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "CRITICAL"}}
