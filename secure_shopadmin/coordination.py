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
    user, login = alert.user, alert.record
    with transaction.atomic():
        if not alert_responses.disown(alert):
            return None
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
        alert_responses.tell_security_contacts(alert)
        transaction.on_commit(lambda: resets.send_reset_mail_now(user))
        alert_responses.disowned(request, alert)
    requirement = resets.pending_requirement(user)
    state = resets.last_mail_state(requirement) if requirement is not None else None
    alert.reset_mail = str(state) if state in ("sent", "failed") else "queued"  # what the page may say
    return alert


@receiver(reset_signals.reset_satisfied, dispatch_uid="secure_shopadmin.coordination.reset_done")
def lift_locks_after_reset(sender, user, request=None, **kwargs):
    guard.lift_account_locks(user, request=request, reason="password reset completed")


@receiver(reset_signals.trust_withdrawn, dispatch_uid="secure_shopadmin.coordination.trust_withdrawn")
def forget_browsers_of_reset_users(sender, user_ids, **kwargs):
    twofactor.forget_remembered_browsers_of(user_ids)
