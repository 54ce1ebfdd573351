"""Bulk variants of per-user clean-ups, for thousands of users in a few queries per batch.

Session ending uses the session registry of :mod:`secure_shopadmin.alerts.sessions`: the
recorded keys are decrypted and deleted from the session store in one query (db), one
``delete_many`` (cache) or both (cached_db); another engine gets one delete per session.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends import cache as cache_backend
from django.contrib.sessions.backends import db as db_backend
from django.core.cache import caches

from .. import crypto
from ..alerts import sessions
from ..alerts.models import UserSession

logger = logging.getLogger(__name__)


def end_sessions_of(user_ids):
    """End every recorded session of these users; returns how many."""
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
    store = sessions.session_store()
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


def delete_api_tokens_of(user_ids):
    """Delete Django REST framework tokens (``rest_framework.authtoken``) of these users, if installed."""
    if not apps.is_installed("rest_framework.authtoken"):
        return 0
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user_id__in=user_ids).delete()
    return deleted


def forget_remembered_browsers_of(user_ids):
    """Bulk form of ``twofactor.services.forget_remembered_browsers``."""
    from ..twofactor.models import RememberedBrowser

    deleted, _ = RememberedBrowser.objects.filter(user_id__in=user_ids).delete()
    return deleted


def record_events(kind, targets, *, actor=None, request=None, reason="", campaign=None, **details):
    """Write one audit event per target in one INSERT, log each and send ``security_event``.

    The bulk twin of :func:`secure_shopadmin.audit.services.record` (same row, same log record).
    """
    from ..audit import services as audit
    from ..audit.models import SecurityEvent
    from ..conf import app_settings
    from ..signals import security_event

    if actor is None and request is not None:
        actor = getattr(request, "_cached_user", None)
    actor, actor_username = audit._snapshot(actor)
    ip = audit.client_ip(request)
    events = [
        SecurityEvent(kind=kind, actor=actor, actor_username=actor_username, target=target,
                      target_username=target.get_username(), ip=ip, reason=reason, details=details,
                      campaign=campaign)
        for target in targets
    ]
    SecurityEvent.objects.bulk_create(events, batch_size=1000)
    security_logger = logging.getLogger(app_settings.SECURITY_LOGGER)
    for event in events:
        security_logger.info(
            "security event %s", kind,
            extra={"security_event": {
                "id": event.pk, "kind": kind, "actor": actor_username, "target": event.target_username,
                "ip": ip, "reason": reason, "details": details, "campaign": getattr(campaign, "pk", None),
                "time": event.created_at.isoformat(),
            }},
        )
        security_event.send(sender=SecurityEvent, event=event)
    return events
