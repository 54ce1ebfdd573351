"""Where the stages meet: the cross-stage flows and the receivers of one stage's signals that act
on another. The stages never import one another; this module, above them, does.

* "This wasn't me" (:func:`not_me`): the alert's login is disowned (``alerts``), every session ends
  (core), remembered browsers are forgotten (``twofactor``) and a ``compromised`` reset is
  required and mailed (``resets``), in one transaction, audited once.
* A completed forced reset lifts the account's locks (``resets`` → ``lockout``).
* Resets being required forget the users' remembered browsers (``resets`` → ``twofactor``).

Imported by the app's ``ready()``, which connects the receivers.
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext

from .alerts import challenge as risk_challenge
from .alerts import responses as alert_responses
from .audit.models import EventKind
from .audit.services import record
from .core import api_tokens
from .core.links import base_url
from .core.sessions import end_user_sessions
from .lockout import services as guard
from .resets import services as resets
from .resets import signals as reset_signals
from .resets.models import ResetCategory, ResetMode
from .twofactor import services as twofactor


def not_me(token, request=None):
    """ "This wasn't me", confirmed through the alert mail's link: returns the alert, or None when
    the link does not act. The reset link is mailed right after the transaction commits."""
    alert = alert_responses.find(token, alert_responses.NOT_ME)
    if alert is None:
        return None
    with transaction.atomic():
        if not alert_responses.disown(alert):
            return None
        _secure_account(request, alert.user, alert.record)
        alert_responses.tell_security_contacts(alert)
        transaction.on_commit(lambda: resets.send_reset_mail_now(alert.user))
        alert_responses.disowned(request, alert)
    alert.reset_mail = _reset_mail_state(alert.user)
    return alert


def not_me_risk_code(token, request=None):
    """ "This wasn't me" from a risk code's mail: the same as :func:`not_me` for the challenged login
    (which then cannot complete: its password stops working). Returns the challenge, or None."""
    found = risk_challenge.find_denial(token)
    if found is None:
        return None
    with transaction.atomic():
        if not risk_challenge.disown(found):
            return None
        _secure_account(request, found.user, found.record)
        risk_challenge.tell_security_contacts(found)
        transaction.on_commit(lambda: resets.send_reset_mail_now(found.user))
    found.reset_mail = _reset_mail_state(found.user)
    return found


def _secure_account(request, user, login):
    """End every session and API token, forget remembered browsers, require a compromised-mode reset
    (the caller mails it after commit), audited once as "this wasn't me"."""
    ended = end_user_sessions(user)
    api_tokens.revoke_all([user.pk])
    forgotten = twofactor.forget_remembered_browsers(user)
    result = resets.require_reset(
        [user.pk], mode=ResetMode.COMPROMISED, category=ResetCategory.MEMBER, reason=gettext("This wasn't me"),
        request=request, notify=True, base_url=base_url(request) if request is not None else "", audit=False)
    record(EventKind.NOT_ME, request=request, actor=user, target=user, record=login.pk,
           sessions_ended=ended, browsers_forgotten=forgotten,
           reset_required=bool(result.required or result.upgraded or result.already_pending),
           browser=login.browser, os=login.os, network=login.ip_prefix)


def _reset_mail_state(user):
    """What the page may say of the reset mail: sent, failed or queued."""
    requirement = resets.pending_requirement(user)
    state = resets.last_mail_state(requirement) if requirement is not None else None
    return str(state) if state in ("sent", "failed") else "queued"


@receiver(reset_signals.reset_satisfied, dispatch_uid="secure_shopadmin.coordination.reset_done")
def lift_locks_after_reset(sender, user, request=None, **kwargs):
    guard.lift_account_locks(user, request=request, reason="password reset completed")


@receiver(reset_signals.trust_withdrawn, dispatch_uid="secure_shopadmin.coordination.trust_withdrawn")
def forget_browsers_of_reset_users(sender, user_ids, **kwargs):
    twofactor.forget_remembered_browsers_of(user_ids)
