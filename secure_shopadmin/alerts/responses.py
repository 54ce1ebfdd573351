"""The answers to an alert mail: "this was me" and "this wasn't me".

Each link carries its own random token, stored only as a keyed digest on the
:class:`~.models.EnvironmentAlert`. A GET only looks a token up; the POST spends it with a
compare-and-set update, so a link acts once, before it expires, and "this was me" no longer acts
once "this wasn't me" was confirmed.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .. import crypto, tokens
from ..audit.models import EventKind
from ..audit.services import record as audit
from . import alerting, notify, sessions, signals
from .models import EnvironmentAlert, KnownDevice, LoginRecord

WAS_ME = "was_me"
NOT_ME = "not_me"
CONTACTS_MAIL = "security_contact_not_me"

_DIGEST_FIELD = {WAS_ME: "confirm_digest", NOT_ME: "deny_digest"}
_PURPOSE = {WAS_ME: alerting.CONFIRM_PURPOSE, NOT_ME: alerting.DENY_PURPOSE}


def _usable(action):
    now = timezone.now()
    usable = EnvironmentAlert.objects.filter(expires_at__gt=now, denied_at__isnull=True)
    if action == WAS_ME:
        usable = usable.filter(confirmed_at__isnull=True)
    return usable


def find(token, action):
    """The alert whose unexpired, unspent ``action`` link carries ``token``, or None (changes nothing)."""
    if action not in _DIGEST_FIELD or not token or len(token) > 128:
        return None
    digest = tokens.token_digest(token, _PURPOSE[action])
    field = _DIGEST_FIELD[action]
    alert = _usable(action).select_related("record", "user").filter(**{field: digest}).first()
    if alert is None or not crypto.constant_time_equal(getattr(alert, field), digest):
        return None
    return alert


def _spend(alert, action):
    stamp = {"confirmed_at" if action == WAS_ME else "denied_at": timezone.now()}
    return _usable(action).filter(pk=alert.pk).update(**stamp) == 1


def confirm(token):
    """ "This was me": mark the alerted login as the user's; returns the alert, or None."""
    alert = find(token, WAS_ME)
    if alert is None or not _spend(alert, WAS_ME):
        return None
    signals.login_confirmed.send(sender=EnvironmentAlert, user=alert.user, record=alert.record)
    return alert


def disown(token, request=None):
    """ "This wasn't me", confirmed: returns the alert, or None when the link does not act.

    In one transaction: the login is disowned (its environment never counts as familiar again and
    its browser is forgotten as a known device), every session of the user ends, remembered 2FA
    browsers are forgotten, a ``compromised`` password reset is required (its link mailed), the
    security contacts are told, and one ``not_me`` event is audited.
    """
    from ..resets import services as resets
    from ..resets.models import ResetMode
    from ..twofactor.services import forget_remembered_browsers

    alert = find(token, NOT_ME)
    if alert is None:
        return None
    user, login = alert.user, alert.record
    with transaction.atomic():
        if not _spend(alert, NOT_ME):
            return None
        now = timezone.now()
        LoginRecord.objects.filter(pk=login.pk).update(disowned_at=now)
        if login.device_digest:
            KnownDevice.objects.filter(user=user, device_digest=login.device_digest).delete()
        ended = sessions.end_user_sessions(user)
        forgotten = forget_remembered_browsers(user)
        result = resets.require_reset([user.pk], mode=ResetMode.COMPROMISED, reason=gettext("This wasn't me"),
                                      request=request, notify=True, base_url=_base_url(request), audit=False)
        audit(EventKind.NOT_ME, request=request, actor=user, target=user, record=login.pk,
              sessions_ended=ended, browsers_forgotten=forgotten,
              reset_required=bool(result.required or result.upgraded or result.already_pending),
              browser=login.browser, os=login.os, network=login.ip_prefix)
        notify.to_security_contacts(CONTACTS_MAIL, {**alerting.mail_context(login),
                                                    "username": user.get_username()})
        transaction.on_commit(lambda: _send_reset_mail(user))
        transaction.on_commit(lambda: signals.login_disowned.send(
            sender=EnvironmentAlert, request=request, user=user, record=login))
    alert.denied_at = now
    return alert


def _base_url(request):
    if request is None:
        return ""
    from ..resets.views import base_url

    return base_url(request)


def _send_reset_mail(user):
    """Send the user's queued reset mail now (not the rest of the queue)."""
    from ..resets import outbox
    from ..resets.models import OutgoingMail
    from ..resets.services import RESET_MAILS

    try:
        outbox.send_queued(OutgoingMail.objects.filter(user_id=user.pk, template__in=RESET_MAILS),
                           retry_failed=False)
    except Exception:  # noqa: BLE001 - the mail stays queued for the next send run
        notify.logger.exception("the reset mail after 'this wasn't me' could not be sent now")
