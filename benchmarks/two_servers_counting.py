"""Instruments of the two-server run, loaded only by ``two_servers_settings``: every password hash and
every TOTP check a server computes is counted in the shared Redis, per client address, so the run
reads exactly how many checks each attacker got across both servers (a refusal computes none)."""

import contextvars

import redis
from django.conf import settings

from tests.cheap_hashers import CheapArgon2PasswordHasher

CLIENT = contextvars.ContextVar("two_servers_client", default="")


def count(kind):
    client = redis.Redis.from_url(settings.CACHES["shared"]["LOCATION"])
    client.incr(f"{settings.CACHES['shared']['KEY_PREFIX']}:count:{kind}:{CLIENT.get()}")


class CountingHasher(CheapArgon2PasswordHasher):
    def verify(self, password, encoded):
        count("hash")
        return super().verify(password, encoded)

    def encode(self, password, salt, *args, **kwargs):  # also the dummy hash of an unknown username
        count("hash")
        return super().encode(password, salt, *args, **kwargs)


class CountingMiddleware:
    """First in MIDDLEWARE: remembers the client's address; wraps the TOTP check once per process."""

    def __init__(self, get_response):
        from secure_shopadmin.twofactor import codes

        original = codes.verify_totp
        if not getattr(original, "_counted", False):
            def counted(device, token):
                count("totp")
                return original(device, token)

            counted._counted = True
            codes.verify_totp = counted
        self.get_response = get_response

    def __call__(self, request):
        CLIENT.set(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        return self.get_response(request)
