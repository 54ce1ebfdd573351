"""The session and environment stage: the login's risk right after the password, and the session
once the pipeline logged the user in.

* :func:`assess_risk` (after the password): where the login comes from, how risky it is, and what
  ``RISK_POLICY`` does with it; kept in the partial login's facts (two queries at most).
* :func:`pending_step`: a risky login that gave no second factor meets the e-mailed code.
* :func:`blocked`: a login the policy blocks is recorded and alerted.
* :func:`logged_in`: record the session and the login, alert if due. It never runs on later
  requests: what they need (the session digest) is in the pipeline's marker.
"""

import time

from django.db import transaction
from django.urls import reverse

from ..conf import app_settings
from ..core import device, languages, sessions
from ..core.steps import Step
from . import alerting, anonymous, challenge, environment, familiar, geoip, records, risk, signals
from .models import AlertDecision, LoginOutcome

RISK_STEP = "risk_code"
RISK_URL_NAMES = ("secure_shopadmin:risk_code",)
RISK_FACT = "risk"
BLOCK = risk.BLOCK


def risk_enabled():
    return bool(app_settings.RISK_ASSESSMENT and app_settings.LOGIN_HISTORY)


def assess_risk(request, user, partial, *, breached=False, prior_failures=0):
    """Assess the login's risk and keep it in ``partial.facts["risk"]``; returns those facts."""
    env = environment.describe(request)
    current = device.device_id(request)
    known = familiar.device_is_known(user, device.digest(current) if current else "")
    history, recorded = familiar.history_and_recorded(user)
    facts = risk.LoginFacts(
        place=geoip.lookup(env.ip), ip_prefix=env.ip_prefix, browser=env.browser, os=env.os, at=time.time(),
        known_device=known, anonymous=anonymous.is_listed(env.ip), prior_failures=prior_failures,
        breached=breached)
    assessment = risk.adapter().adjust(request, user, risk.assess(facts, history), facts)
    level = assessment.level
    found = {
        "level": level, "score": assessment.score, "reasons": list(assessment.reasons),
        "action": risk.action_for(partial.channel, level), "familiar": risk.is_familiar(facts, history),
        "has_history": bool(history), "known_device": known, "recorded": recorded,
    }
    partial.facts[RISK_FACT] = found
    return found


def pending_step(request, user, partial):
    """The e-mailed code, for a login the policy challenges that gave no second factor."""
    found = partial.facts.get(RISK_FACT)
    if not found or found["action"] != risk.CHALLENGE or "second_factor" in partial.facts:
        return None
    if partial.facts.get("risk_passed") or partial.facts.get("email_proven") or "breached_password" in found[
            "reasons"]:
        return None  # a breached password meets the compromised-mode reset instead
    if not partial.facts.get("risk_binding"):
        with transaction.atomic():
            record = _attempt_record(request, user, partial, LoginOutcome.CHALLENGED)
            partial.facts["risk_binding"] = challenge.issue(request, user, record, found)
    return Step(RISK_STEP, reverse(RISK_URL_NAMES[0]), RISK_URL_NAMES, api_code="risk_code_required")


def check_risk_code(user, binding, code):
    """Whether ``code`` is the code mailed for the partial login holding ``binding`` (spent if so).
    Only :func:`secure_shopadmin.pipeline.check_code` calls this, inside the guard's code budget."""
    return challenge.verify(user, binding, code)


def resend_risk_code(request, user, partial):
    return challenge.resend(request, user, partial.facts.get("risk_binding", ""))


def blocked(request, user, partial):
    """The policy blocks this login: record it and alert the user (the caller refuses it)."""
    with transaction.atomic():
        record = _attempt_record(request, user, partial, LoginOutcome.BLOCKED)
        if alerting.decide(user, partial, first_login=False) == AlertDecision.SENT:
            alerting.issue(request, user, record)
        alerting.audit_blocked(request, user, record)


def _attempt_record(request, user, partial, outcome):
    env = environment.describe(request)
    current = device.device_id(request)
    return records.new_record(
        user, env, outcome=outcome, channel=partial.channel,
        device_digest=device.digest(current) if current else "", new_environment=True,
        place=geoip.lookup(env.ip), risk=partial.facts.get(RISK_FACT))


def _alert_decision(user, partial, found, familiar_env, first_login=None):
    """Whether and why a mail goes out: by the risk policy when assessed, else by today's rule.
    ``first_login``: whether the user has no recorded login yet, when already known (else asked)."""
    if (found["action"] == risk.NONE) if found else familiar_env:
        return AlertDecision.FAMILIAR if familiar_env else AlertDecision.LOW_RISK
    if first_login is None:
        recorded = found.get("recorded") if found else None
        first_login = not (found and found["has_history"]) and not (
            recorded if recorded is not None else familiar.has_recorded_login(user))
    if first_login:
        return AlertDecision.FIRST_LOGIN
    if partial.facts.get("risk_passed"):
        return AlertDecision.MAIL_PROVEN  # the code mail told the user and was answered
    return alerting.decide(user, partial, first_login=False)


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
    found = partial.facts.get(RISK_FACT)
    if found:  # assessed after the password: its facts say how familiar the login is
        familiar_env, first_login = found["familiar"], None
    else:
        current = device.device_id(request)  # before learning: a known cookie is rule 1
        familiar_env, first_login = familiar.assess(user, env, device.digest(current) if current else "")
    decision = _alert_decision(user, partial, found, familiar_env, first_login)
    with transaction.atomic(savepoint=False):  # inside the pipeline's transaction: no savepoint
        device_digest = device.learn(request, user)
        languages.remember(user, language)
        record = records.new_record(
            user, env, outcome=LoginOutcome.SUCCESS, channel=partial.channel, device_digest=device_digest,
            session_digest=sessions.key_digest(request.session.session_key),
            new_environment=not familiar_env, alert=decision, place=geoip.lookup(env.ip), risk=found,
        )
        digest = sessions.record(request, user, partial.channel, login_record=record)
        if decision == AlertDecision.SENT:
            alerting.issue(request, user, record)
        if decision not in (AlertDecision.FAMILIAR, AlertDecision.LOW_RISK, AlertDecision.FIRST_LOGIN,
                            AlertDecision.MAIL_PROVEN):
            alerting.audit_new_environment(request, user, record)
    if not familiar_env:
        signals.new_environment_login.send(sender=record.__class__, request=request, user=user, record=record)
    return {"sd": digest}
