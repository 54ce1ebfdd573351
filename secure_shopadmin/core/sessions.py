"""The session registry: every session the pipeline logs in is recorded, so all of a user's
sessions can be ended on the db, cache and cached_db backends (signed-cookie sessions cannot be
ended server-side; the unusable password of a forced reset covers them).

Ending the sessions of thousands of users (:func:`end_sessions_of`) decrypts the recorded keys and
deletes them from the session store in one query (db), one ``delete_many`` (cache) or both
(cached_db); another engine gets one delete per session.
"""

import copy
import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends import cache as cache_backend
from django.contrib.sessions.backends import db as db_backend
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.core.cache import caches
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import api_tokens, crypto
from .models import UserSession
from .upserts import upsert

logger = logging.getLogger(__name__)
DIGEST_PURPOSE = "session-key"
#: on a session given a new key and not yet written under it: the key its row has (None: no row yet)
OLD_KEY_ATTR = "_secure_shopadmin_old_key"


def key_digest(session_key):
    return crypto.digest(session_key, DIGEST_PURPOSE)


def record(request, user, channel, login_record=None):
    """Record the request's (just logged-in) session; returns the digest kept in the marker."""
    return record_key(request.session.session_key, user, channel, login_record=login_record)


def record_key(session_key, user, channel, login_record=None):
    digest = key_digest(session_key)
    upsert(UserSession(key_digest=digest, user=user, key_encrypted=crypto.encrypt(session_key.encode()),
                       channel=channel, login_record=login_record),
           ("key_digest",), ("user", "key_encrypted", "channel", "login_record"))
    return digest


def rotate_for_login(request, user):
    """Give the session its login key, before Django's ``login()``, which then keeps it; the session
    then names ``user`` as ``login()`` would. :func:`write_new_key` writes it at the login's end."""
    if not give_new_key(request.session):
        request.session.cycle_key()
    request.session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()


def give_new_key(session):
    """Choose the session's next key now, without a query: what is recorded later in the request names it.

    On the db-backed engines (db, cached_db) :func:`write_new_key` then moves the row to it with the
    final data in one statement (Django's ``cycle_key()`` checks the new key, inserts a row and
    deletes the old one; the response's save then updates it again). False on another engine: the
    caller cycles the key instead."""
    if not isinstance(session, db_backend.SessionStore):
        return False
    data = session._session  # loaded under the old key
    session.__dict__[OLD_KEY_ATTR] = session.__dict__.get(OLD_KEY_ATTR, session.session_key)
    session._session_key = get_random_string(32, VALID_KEY_CHARS)  # the primary key refuses a (165-bit) collision
    session._session_cache, session.modified = data, True
    return True


def write_new_key(session):
    """Write the session under the key :func:`give_new_key` chose, with its data and expiry, in one
    statement: an UPDATE of its row under the old key, or an INSERT when it has none (a new visitor, or
    a row ended meanwhile). The response's save then writes again only if the session changed since."""
    if OLD_KEY_ATTR not in session.__dict__:
        return
    old_key = session.__dict__.pop(OLD_KEY_ATTR)
    data = session._get_session()
    row = session.create_model_instance(data)
    rows = type(session).get_model_class()._default_manager
    if old_key is None or not rows.filter(session_key=old_key).update(
            session_key=row.session_key, session_data=row.session_data, expire_date=row.expire_date):
        row.save(force_insert=True)
    prefix = getattr(type(session), "cache_key_prefix", None)
    if prefix and old_key:  # cached_db: the old key's copy goes; the new one is cached at its next load
        caches[settings.SESSION_CACHE_ALIAS].delete(prefix + old_key)
    _save_only_if_changed(session, copy.deepcopy(data))


def _save_only_if_changed(session, written):
    """The response's ``save()`` of a session just written: nothing to do unless its data changed since
    (then, and for any later save, the engine's own ``save()``)."""

    def save(must_create=False):
        del session.save  # the engine's method again
        if must_create or session._get_session() != written:
            session.save(must_create=must_create)

    session.save = save


def save_now(session):
    """Write the session at once (a spent challenge): one UPDATE of its row on the db engine, the engine's
    ``save()`` otherwise (a new session, cached_db's cache copy)."""
    if session.session_key is None or not isinstance(session, db_backend.SessionStore) or getattr(
            type(session), "cache_key_prefix", None):
        session.save()
        return
    row = session.create_model_instance(session._get_session())
    if not type(session).get_model_class()._default_manager.filter(session_key=row.session_key).update(
            session_data=row.session_data, expire_date=row.expire_date):
        session.save()


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
    """End every recorded session of ``user`` except ``keep_session_key``, and revoke every API token
    of ``user`` (a token is a session that lives elsewhere); returns how many sessions ended."""
    api_tokens.revoke_all([user.pk])
    keep = key_digest(keep_session_key) if keep_session_key else None
    ended = 0
    for row in UserSession.objects.filter(user=user):
        if keep and row.key_digest == keep:
            continue
        end_session(row)
        ended += 1
    return ended


def end_sessions_of(user_ids):
    """End every recorded session of these users and revoke their API tokens; returns how many sessions."""
    user_ids = list(user_ids)
    api_tokens.revoke_all(user_ids)
    rows = list(UserSession.objects.filter(user_id__in=user_ids).values_list("pk", "key_encrypted"))
    if not rows:
        return 0
    box = crypto.fernet()
    keys = []
    for _pk, encrypted in rows:
        try:
            keys.append(box.decrypt(encrypted.encode("ascii")).decode())
        except crypto.InvalidToken:
            logger.warning("a recorded session key could not be decrypted (key rotated away); record dropped")
    delete_session_keys(keys)
    UserSession.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    return len(rows)


def delete_session_keys(keys):
    if not keys:
        return
    store = session_store()
    handled = False
    if issubclass(store, db_backend.SessionStore):
        store.get_model_class().objects.filter(session_key__in=keys).delete()
        handled = True
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix and (issubclass(store, cache_backend.SessionStore) or handled):
        caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in keys])
        handled = True
    if not handled:
        for key in keys:
            store(session_key=key).delete()
