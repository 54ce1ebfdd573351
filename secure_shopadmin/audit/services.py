"""Writing security events: one row in the audit trail and one structured log record."""

import logging

from ..conf import app_settings
from ..signals import security_event
from .models import SecurityEvent


def client_ip(request):
    """The client IP of ``request`` as the guard sees it, or None."""
    if request is None:
        return None
    from ..lockout.ip import client_ip as guard_client_ip

    return guard_client_ip(request)


def _snapshot(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user, user.get_username()


def record(kind, *, request=None, actor=None, target=None, reason="", campaign=None, **details):
    """Write one security event and log it; returns the event. ``campaign``: the breach campaign it is a step of."""
    if actor is None and request is not None:
        actor = getattr(request, "_cached_user", None)
    actor, actor_username = _snapshot(actor)
    target, target_username = _snapshot(target)
    event = SecurityEvent.objects.create(
        kind=kind, actor=actor, actor_username=actor_username, target=target,
        target_username=target_username, ip=client_ip(request), reason=reason, details=details, campaign=campaign,
    )
    logging.getLogger(app_settings.SECURITY_LOGGER).info(
        "security event %s", kind,
        extra={"security_event": {
            "id": event.pk, "kind": kind, "actor": actor_username, "target": target_username,
            "ip": event.ip, "reason": reason, "details": details, "campaign": getattr(campaign, "pk", None),
            "time": event.created_at.isoformat(),
        }},
    )
    security_event.send(sender=SecurityEvent, event=event)
    return event
