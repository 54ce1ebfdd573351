"""System checks of the guard's configuration. None queries the database."""

import ipaddress

from django.conf import settings
from django.core import checks

from ..conf import app_settings

HANDLER = "secure_shopadmin.lockout.handler.GuardHandler"
CLIENT_IP = "secure_shopadmin.net.client_ip"
#: the path documented before 0.2; still the same function
CLIENT_IP_ALIASES = (CLIENT_IP, "secure_shopadmin.lockout.ip.client_ip")
SECRET_FIELDS = ("password", "otp_token", "token", "new_password1", "new_password2", "old_password")
REDIS_CACHES = ("django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache")
LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


def _msg(id_, msg, hint, level=checks.Error):
    return level(msg, hint=hint, id=f"secure_shopadmin.{id_}")


@checks.register(checks.Tags.security)
def check_lockout(app_configs=None, **kwargs):
    problems = []
    if app_settings.AXES_HANDLER != HANDLER:
        problems.append(_msg("E030", "django-axes does not count through the guard.",
                             f"Set AXES_HANDLER = '{HANDLER}': attempts are then reserved before hashing."))
    if app_settings.AXES_CLIENT_IP_CALLABLE not in CLIENT_IP_ALIASES:
        problems.append(_msg("W031", "django-axes reads the client IP its own way.",
                             f"Set AXES_CLIENT_IP_CALLABLE = '{CLIENT_IP}' so logs and the guard agree.",
                             level=checks.Warning))
    missing = [f for f in SECRET_FIELDS if f not in app_settings.AXES_SENSITIVE_PARAMETERS]
    if missing:
        problems.append(_msg("W032", f"AXES_SENSITIVE_PARAMETERS lacks {', '.join(missing)}.",
                             "Add them so codes and tokens never reach django-axes' logs.", level=checks.Warning))
    for proxy in app_settings.LOCKOUT_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(str(proxy), strict=False)
        except ValueError:
            problems.append(_msg("E033", f"LOCKOUT_TRUSTED_PROXIES entry {proxy!r} is not an IP or CIDR.",
                                 "List your reverse proxies' addresses, e.g. '10.0.0.0/8'."))
    alias = app_settings.LOCKOUT_CACHE
    if alias is not None:
        backend = settings.CACHES.get(alias, {}).get("BACKEND")
        if backend is None:
            problems.append(_msg("E034", f"LOCKOUT_CACHE names {alias!r}, which is not in CACHES.",
                                 "Name a shared cache alias (Redis, Memcached) or set None for database rows."))
        elif backend in LOCAL_CACHES:
            problems.append(_msg("W035", f"LOCKOUT_CACHE {alias!r} is not shared between processes.",
                                 "Each process would count alone: use Redis or Memcached, or None for rows.",
                                 level=checks.Warning))
        elif backend in REDIS_CACHES and not _socket_timeout(settings.CACHES[alias].get("OPTIONS") or {}):
            problems.append(_msg("W037", f"LOCKOUT_CACHE {alias!r} sets no socket timeout.",
                                 "A Redis that stops answering would hold every login until the system gives up; "
                                 "set OPTIONS socket_timeout and socket_connect_timeout (django-redis: "
                                 "SOCKET_TIMEOUT, SOCKET_CONNECT_TIMEOUT), e.g. 1 second.", level=checks.Warning))
    retry = app_settings.LOCKOUT_CACHE_RETRY
    if isinstance(retry, bool) or not isinstance(retry, int) or retry <= 0:
        problems.append(_msg("E038", "LOCKOUT_CACHE_RETRY must be a positive number of seconds.",
                             "The default is 30: the counters stay in database rows that long after the cache "
                             "could not be reached."))
    if not tuple(app_settings.LOCKOUT_PAIR_COOLOFFS) or any(int(s) <= 0 for s in app_settings.LOCKOUT_PAIR_COOLOFFS):
        problems.append(_msg("E036", "LOCKOUT_PAIR_COOLOFFS must be positive seconds, at least one.",
                             "The default is (900, 3600, 21600): 15 min, 1 h, 6 h."))
    return problems


def _socket_timeout(options):
    return any(options.get(name) for name in ("socket_timeout", "SOCKET_TIMEOUT"))
