"""The session registry: every session the pipeline logs in is recorded, so all of a user's
sessions can be ended on the db, cache and cached_db backends (signed-cookie sessions cannot be
ended server-side; the unusable password of a forced reset covers them).
"""

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from .. import crypto
from .models import UserSession

DIGEST_PURPOSE = "session-key"


def key_digest(session_key):
    return crypto.digest(session_key, DIGEST_PURPOSE)


def record(request, user, channel, login_record=None):
    """Record the request's (just logged-in) session; returns the digest kept in the marker."""
    return record_key(request.session.session_key, user, channel, login_record=login_record)


def record_key(session_key, user, channel, login_record=None):
    digest = key_digest(session_key)
    UserSession.objects.update_or_create(
        key_digest=digest,
        defaults={"user": user, "key_encrypted": crypto.encrypt(session_key.encode()), "channel": channel,
                  "login_record": login_record},
    )
    return digest


def rerecord_if_rotated(request, marker):
    """After a view rotated the session key (``cycle_key``), move the record to the new key.

    Costs one HMAC and no query when the key did not change.
    """
    session_key = request.session.session_key
    if not session_key or "sd" not in marker:
        return
    digest = key_digest(session_key)
    if crypto.constant_time_equal(digest, marker["sd"]):
        return
    UserSession.objects.filter(key_digest=marker["sd"]).update(
        key_digest=digest, key_encrypted=crypto.encrypt(session_key.encode()), rotated_at=timezone.now(),
    )
    marker["sd"] = digest
    request.session.modified = True


def forget(session_key):
    """The session was logged out or flushed: drop its record."""
    if session_key:
        UserSession.objects.filter(key_digest=key_digest(session_key)).delete()


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_session(row):
    """End one recorded session (a :class:`UserSession`) in the session backend and drop its record."""
    try:
        session_store()(session_key=crypto.decrypt(row.key_encrypted).decode()).delete()
    except crypto.InvalidToken:
        pass  # encrypted under a key no longer configured: the row is useless, drop it
    row.delete()


def active_sessions(user):
    """The user's recorded sessions, newest first, each with its login record (one query)."""
    return UserSession.objects.filter(user=user).select_related("login_record").order_by("-created_at", "-pk")


def end_user_sessions(user, keep_session_key=None):
    """End every recorded session of ``user`` except ``keep_session_key``; returns how many."""
    keep = key_digest(keep_session_key) if keep_session_key else None
    ended = 0
    for row in UserSession.objects.filter(user=user):
        if keep and row.key_digest == keep:
            continue
        end_session(row)
        ended += 1
    return ended
