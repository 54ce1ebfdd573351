"""Writing security events: one row in the audit trail and one structured log record per event.

:func:`record` writes one event, :func:`record_many` the same event for many targets in one
INSERT; both go through :func:`_log_and_signal`, so every event is logged and signalled alike.
"""

import logging

from ..conf import app_settings
from ..net import client_ip
from ..signals import security_event
from .models import SecurityEvent


def _snapshot(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user, user.get_username()


def _actor(request, actor):
    if actor is None and request is not None:
        actor = getattr(request, "_cached_user", None)
    return _snapshot(actor)


def _log_and_signal(event):
    logging.getLogger(app_settings.SECURITY_LOGGER).info(
        "security event %s", event.kind,
        extra={"security_event": {
            "id": event.pk, "kind": event.kind, "actor": event.actor_username, "target": event.target_username,
            "ip": event.ip, "reason": event.reason, "details": event.details, "campaign": event.campaign_id,
            "time": event.created_at.isoformat(),
        }},
    )
    security_event.send(sender=SecurityEvent, event=event)


def record(kind, *, request=None, actor=None, target=None, reason="", campaign=None, **details):
    """Write one security event and log it; returns the event. ``campaign``: the breach campaign it is a step of."""
    actor, actor_username = _actor(request, actor)
    target, target_username = _snapshot(target)
    event = SecurityEvent.objects.create(
        kind=kind, actor=actor, actor_username=actor_username, target=target,
        target_username=target_username, ip=client_ip(request), reason=reason, details=details, campaign=campaign,
    )
    _log_and_signal(event)
    return event


def record_many(kind, targets, *, request=None, actor=None, reason="", campaign=None, **details):
    """Write one event per target (users) in one INSERT, log each and signal each; returns the events."""
    actor, actor_username = _actor(request, actor)
    ip = client_ip(request)
    events = [
        SecurityEvent(kind=kind, actor=actor, actor_username=actor_username, target=target,
                      target_username=target.get_username(), ip=ip, reason=reason, details=details,
                      campaign=campaign)
        for target in targets
    ]
    SecurityEvent.objects.bulk_create(events, batch_size=1000)
    for event in events:
        _log_and_signal(event)
    return events
