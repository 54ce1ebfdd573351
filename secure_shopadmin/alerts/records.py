"""Login records: written at login (never on later requests), read by the history pages, pruned by
``manage.py prune_login_records``."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from ..conf import app_settings
from ..core import crypto, deferred, device
from ..core.models import KnownDevice, UserSession
from ..core.sessions import session_store
from . import environment, familiar
from .models import AlertDecision, LoginOutcome, LoginRecord


def new_record(user, env, *, outcome, channel, device_digest="", session_digest="", new_environment=None,
               alert=AlertDecision.NOT_CHECKED, place=None, risk=None):
    """Write one login record; ``place``: its :class:`~.geoip.Place`, ``risk``: the assessment's facts."""
    return LoginRecord.objects.create(
        user=user, outcome=outcome, channel=channel, ip=env.ip, ip_prefix=env.ip_prefix,
        user_agent=env.user_agent, browser=env.browser, browser_version=env.browser_version, os=env.os,
        device_digest=device_digest, session_digest=session_digest, new_environment=new_environment,
        alert=alert, **place_fields(place), **risk_fields(risk),
    )


def place_fields(place):
    if place is None:
        return {}
    return {"country": place.country, "region": place.region[:128], "city": place.city[:128],
            "latitude": place.latitude, "longitude": place.longitude, "asn": place.asn,
            "as_org": place.as_org[:128], "geo_built": place.built, "place_names": dict(place.names)}


def risk_fields(risk):
    if not risk:
        return {}
    return {"risk_level": risk["level"], "risk_score": min(risk["score"], 32767),
            "risk_reasons": ",".join(risk["reasons"])[:255]}


# --- failed staff logins -------------------------------------------------------------------------

def staff_user_named(username):
    """The staff user ``username`` names, or None (one query, the same for any username)."""
    if not username or len(username) > 254:
        return None
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if user is None or not getattr(user, "is_staff", False):
        return None
    return user


def login_failed(request, username, channel, refused):
    """``signals.login_failed``: record the attempt if the username names staff, after the response.

    The outcome and the response are decided before this runs; the lookup is one query whatever the
    username, and the write (staff only) happens once the response has left.
    """
    if refused or not (app_settings.LOGIN_HISTORY and app_settings.RECORD_FAILED_STAFF_LOGINS) or request is None:
        return  # a refused attempt checked no password: the guard counts it, a flood of them records nothing
    user = staff_user_named(username)
    if user is None:
        return
    env = environment.describe(request)
    current = device.device_id(request)
    device_digest = device.digest(current) if current else ""
    outcome = LoginOutcome.FAILED

    def write():
        new_record(user, env, outcome=outcome, channel=channel, device_digest=device_digest,
                   new_environment=not familiar.is_familiar(user, env, device_digest))

    deferred.after_response(write)


# --- reading -------------------------------------------------------------------------------------

def recent_logins(user, limit=None):
    return LoginRecord.objects.filter(user=user).order_by("-created_at", "-pk")[
        :limit or app_settings.LOGIN_HISTORY_LENGTH]


# --- retention -----------------------------------------------------------------------------------

def prunable_records(now=None, days=None):
    """Records older than the retention, except each user's latest successful login, which keeps the
    "first recorded login is learned silently" rule true for a user who was away a long time."""
    days = app_settings.LOGIN_RECORD_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    latest = (LoginRecord.objects.filter(outcome=LoginOutcome.SUCCESS).values("user")
              .annotate(last=Max("pk")).values("last"))
    return LoginRecord.objects.filter(created_at__lt=cutoff).exclude(pk__in=latest)


def prune(now=None, days=None, batch_size=1000, dry_run=False):
    """Delete prunable records (in batches), stale known devices and records of sessions that ended
    without a logout. Returns ``{"records": n, "devices": n, "sessions": n}``."""
    now = now or timezone.now()
    counts = {"records": 0, "devices": 0, "sessions": 0}
    while True:
        pks = list(prunable_records(now, days).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            break
        counts["records"] += len(pks)
        if dry_run:
            break
        LoginRecord.objects.filter(pk__in=pks).delete()
    stale_devices = KnownDevice.objects.filter(last_seen__lt=now - timedelta(seconds=app_settings.DEVICE_COOKIE_AGE))
    counts["devices"] = stale_devices.count() if dry_run else stale_devices.delete()[0]
    counts["sessions"] = _prune_ended_sessions(now, dry_run)
    if dry_run:
        counts["records"] = prunable_records(now, days).count()
    return counts


def _prune_ended_sessions(now, dry_run):
    """Session records older than SESSION_COOKIE_AGE whose session the backend no longer has."""
    store = session_store()
    cutoff = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    gone = []
    for row in UserSession.objects.filter(created_at__lt=cutoff).iterator():
        try:
            alive = store().exists(crypto.decrypt(row.key_encrypted).decode())
        except crypto.InvalidToken:
            alive = False
        if not alive:
            gone.append(row.pk)
    if gone and not dry_run:
        UserSession.objects.filter(pk__in=gone).delete()
    return len(gone)
