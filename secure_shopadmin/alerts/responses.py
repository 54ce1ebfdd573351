"""The answers to an alert mail: "this was me" and "this wasn't me".

Each link carries its own random token, stored only as a keyed digest on the
:class:`~.models.EnvironmentAlert`. A GET only looks a token up; the POST spends it with a
compare-and-set update, so a link acts once, before it expires, and "this was me" no longer acts
once "this wasn't me" was confirmed.
"""

from django.db import transaction
from django.utils import timezone

from ..core import crypto, tokens
from ..core.models import KnownDevice
from ..core.sensitive import secret_variables
from . import alerting, notify, signals
from .models import EnvironmentAlert, LoginRecord

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


@secret_variables
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


@secret_variables
def confirm(token):
    """ "This was me": mark the alerted login as the user's; returns the alert, or None."""
    alert = find(token, WAS_ME)
    if alert is None or not _spend(alert, WAS_ME):
        return None
    signals.login_confirmed.send(sender=EnvironmentAlert, user=alert.user, record=alert.record)
    return alert


@secret_variables
def disown(alert):
    """ "This wasn't me": spend the alert's links and disown its login, in the caller's transaction.

    The login's environment never counts as familiar again and its browser is forgotten as a known
    device; returns False when the link was spent meanwhile (nothing is then changed). What the other
    stages do about it (sessions, remembered browsers, a forced reset) is
    :func:`secure_shopadmin.coordination.not_me`'s.
    """
    if not _spend(alert, NOT_ME):
        return False
    user, login = alert.user, alert.record
    alert.denied_at = timezone.now()
    LoginRecord.objects.filter(pk=login.pk).update(disowned_at=alert.denied_at)
    if login.device_digest:
        KnownDevice.objects.filter(user=user, device_digest=login.device_digest).delete()
    return True


def tell_security_contacts(alert):
    notify.to_security_contacts(CONTACTS_MAIL, {**alerting.mail_context(alert.record),
                                                "username": alert.user.get_username()})


def disowned(request, alert):
    """Send :data:`~.signals.login_disowned` (after the transaction commits)."""
    transaction.on_commit(lambda: signals.login_disowned.send(
        sender=EnvironmentAlert, request=request, user=alert.user, record=alert.record))
