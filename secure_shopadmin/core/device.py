"""The device cookie: a random id, signed, long-lived and HttpOnly, that tells a browser apart.

A browser that completed a login of a user is a *known device* of that user. The guard exempts
it from the per-account delay; the alerts treat it as a familiar environment.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.utils import timezone

from ..conf import app_settings
from . import crypto
from .models import KnownDevice
from .upserts import upsert

SALT = "secure_shopadmin.device"
NEW_DEVICE_ATTR = "_secure_shopadmin_new_device_id"


def device_id(request):
    """The id in this browser's valid device cookie, or None (absent, or not signed by us)."""
    value = request.COOKIES.get(app_settings.DEVICE_COOKIE)
    if not value:
        return getattr(request, NEW_DEVICE_ATTR, None)
    try:
        return signing.get_cookie_signer(salt=SALT).unsign(value)
    except signing.BadSignature:
        return getattr(request, NEW_DEVICE_ATTR, None)


def ensure_device_id(request):
    """This browser's device id; a new one is set on the response by the middleware."""
    current = device_id(request)
    if current is None:
        current = secrets.token_urlsafe(18)
        setattr(request, NEW_DEVICE_ATTR, current)
    return current


def set_cookie_if_new(request, response):
    new = getattr(request, NEW_DEVICE_ATTR, None)
    if new is None:
        return
    response.set_cookie(
        app_settings.DEVICE_COOKIE, signing.get_cookie_signer(salt=SALT).sign(new),
        max_age=app_settings.DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
    )


def digest(value):
    return crypto.digest(value, "device-id")


def learn(request, user):
    """The login of ``user`` completed in this browser: it is now a known device of the user."""
    device_digest = digest(ensure_device_id(request))
    upsert(KnownDevice(user=user, device_digest=device_digest, last_seen=timezone.now()),
           ("user", "device_digest"), ("last_seen",))
    return device_digest


def is_known(request, user):
    """True when this browser has completed a login of ``user`` before."""
    current = device_id(request)
    return current is not None and KnownDevice.objects.filter(user=user, device_digest=digest(current)).exists()
