"""The session and environment stage: runs once, right after the pipeline logged the user in.

It never runs on later requests: what they need (the session digest) is in the pipeline's marker.
"""

from django.db import transaction

from ..conf import app_settings
from ..core import device, languages, sessions
from . import alerting, environment, familiar, records, signals
from .models import AlertDecision, LoginOutcome


def logged_in(request, user, partial):
    """Check the environment, learn the browser, record the session and the login, remember the
    user's language, alert if due: the rows in one transaction, after one query that reads.

    Returns what the pipeline adds to the session marker.
    """
    language = languages.request_language(request)  # the user's mails follow this language
    if not app_settings.LOGIN_HISTORY:
        with transaction.atomic(savepoint=False):  # inside the pipeline's transaction: no savepoint
            device.learn(request, user)
            languages.remember(user, language)
            return {"sd": sessions.record(request, user, partial.channel)}
    env = environment.describe(request)
    current = device.device_id(request)  # before learning: a known cookie is rule 1
    familiar_env, first_login = familiar.assess(user, env, device.digest(current) if current else "")
    decision = AlertDecision.FAMILIAR if familiar_env else alerting.decide(user, partial, first_login=first_login)
    with transaction.atomic(savepoint=False):  # inside the pipeline's transaction: no savepoint
        device_digest = device.learn(request, user)
        languages.remember(user, language)
        record = records.new_record(
            user, env, outcome=LoginOutcome.SUCCESS, channel=partial.channel, device_digest=device_digest,
            session_digest=sessions.key_digest(request.session.session_key),
            new_environment=not familiar_env, alert=decision,
        )
        digest = sessions.record(request, user, partial.channel, login_record=record)
        if decision == AlertDecision.SENT:
            alerting.issue(request, user, record)
        if not familiar_env and decision not in (AlertDecision.FIRST_LOGIN, AlertDecision.MAIL_PROVEN):
            alerting.audit_new_environment(request, user, record)
    if not familiar_env:
        signals.new_environment_login.send(sender=record.__class__, request=request, user=user, record=record)
    return {"sd": digest}
