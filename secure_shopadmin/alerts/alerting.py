"""The unfamiliar-environment alert: who gets one, and the mail with its two single-use links.

An alert is mailed for a successful login when all of these hold (docs/alerts.rst says the same):

* the environment is not familiar (:mod:`.familiar`);
* the user already has a recorded successful login (the first one is learned silently);
* the login did not start from a mailed single-use link (the user just proved the mailbox the
  alert would go to);
* ``LOGIN_ALERTS`` is on and the user has an e-mail address;
* fewer than ``ALERT_LIMIT`` alerts went to the user in the last ``ALERT_LIMIT_WINDOW`` seconds.

Staff alerts also go to ``SECURITY_CONTACTS`` when ``ALERT_STAFF_TO_SECURITY_CONTACTS`` is on.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ..audit.models import EventKind
from ..audit.services import record as audit
from ..conf import app_settings
from ..core import links, tokens
from . import notify
from .models import AlertDecision, EnvironmentAlert

CONFIRM_PURPOSE = "alert-confirm"
DENY_PURPOSE = "alert-deny"
USER_MAIL = "alert_new_environment"
CONTACTS_MAIL = "security_contact_alert"

CHANNEL_LABELS = {
    "console": _("the management console"),
    "storefront": _("the shop"),
    "api": _("the API"),
}


#: which login it was, for the "Login" line of the mails and pages
LOGIN_LABELS = {
    "console": _("the management console"),
    "storefront": _("the shop's member login"),
    "api": _("the API"),
}


def channel_label(channel):
    return CHANNEL_LABELS.get(channel, channel)


def login_label(channel):
    return LOGIN_LABELS.get(channel, channel)


def decide(user, partial, *, first_login):
    """The :class:`AlertDecision` for a successful login from an unfamiliar environment."""
    if first_login:
        return AlertDecision.FIRST_LOGIN
    if partial.facts.get("email_proven"):
        return AlertDecision.MAIL_PROVEN
    if not app_settings.LOGIN_ALERTS:
        return AlertDecision.DISABLED
    if not getattr(user, user.get_email_field_name(), ""):
        return AlertDecision.NO_ADDRESS
    if over_limit(user):
        return AlertDecision.RATE_LIMITED
    return AlertDecision.SENT


def over_limit(user):
    since = timezone.now() - timedelta(seconds=app_settings.ALERT_LIMIT_WINDOW)
    return EnvironmentAlert.objects.filter(user=user, created_at__gte=since).count() >= app_settings.ALERT_LIMIT


def history_url(request=None):
    """The absolute address of the user's login history, or "" (no SITE_URL and no request)."""
    try:
        return links.absolute_url(request, "secure_shopadmin:login_history")
    except links.MissingSiteURL:
        return ""


def mail_context(record, request=None):
    """What the alert mails show about a login: time in the shop's time zone, place, network owner,
    IP, browser, OS, path, and a link to the login history."""
    return {
        # resolved when the mail is rendered, in the recipient's language
        "place": lazy(lambda: record.place, str)(), "device": lazy(lambda: record.device_label, str)(),
        "network_owner": record.network_owner,
        "history_url": history_url(request),
        "login_time": record.created_at,
        "time_zone": settings.TIME_ZONE,
        "ip": record.ip or "?",
        "browser": " ".join(filter(None, [record.browser, record.browser_version])) or "?",
        "os": record.os or "?",
        "channel": record.channel,
        "channel_label": channel_label(record.channel),
        "login_label": login_label(record.channel),
        "is_console": record.channel == "console",
        "blocked": record.outcome == "blocked",
    }


def issue(request, user, record):
    """Create the alert with fresh link tokens and mail it (after commit); returns the alert."""
    confirm_token, confirm_digest = tokens.new_token(CONFIRM_PURPOSE)
    deny_token, deny_digest = tokens.new_token(DENY_PURPOSE)
    now = timezone.now()
    alert = EnvironmentAlert.objects.create(
        record=record, user=user, created_at=now,
        expires_at=now + timedelta(seconds=app_settings.ALERT_LINK_TTL),
        confirm_digest=confirm_digest, deny_digest=deny_digest,
    )
    context = {
        **mail_context(record, request),
        "was_me_url": links.absolute_url(request, "secure_shopadmin:alert_was_me", confirm_token),
        "not_me_url": links.absolute_url(request, "secure_shopadmin:alert_not_me", deny_token),
        "expires_at": alert.expires_at,
    }
    notify.to_user(user, USER_MAIL, context)
    if user.is_staff and app_settings.ALERT_STAFF_TO_SECURITY_CONTACTS:
        notify.to_security_contacts(CONTACTS_MAIL, {**mail_context(record), "username": user.get_username()})
    return alert


def audit_new_environment(request, user, record):
    audit(EventKind.ALERT, request=request, actor=user, target=user, record=record.pk,
          decision=str(record.alert), channel=record.channel, browser=record.browser, os=record.os,
          network=record.ip_prefix, country=record.country, asn=record.asn, risk=record.risk_level,
          reasons=record.reason_names)


def audit_blocked(request, user, record):
    audit(EventKind.RISK_BLOCKED, request=request, actor=user, target=user, record=record.pk,
          level=record.risk_level, score=record.risk_score, reasons=record.reason_names, channel=record.channel)
