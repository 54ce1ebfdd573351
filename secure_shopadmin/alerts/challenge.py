"""The risk step's e-mailed code (docs/risk.rst): issued, resent, checked, disowned.

A code is 10 characters from a 31-character alphabet without look-alikes (49 bits). It exists
only in the mail: the row keeps a keyed digest bound to a random id that only this attempt's
partial login holds, so a code opens the login it was mailed for and no other. It lives
``RISK_CODE_TTL`` seconds, passes once, and dies after :data:`MAX_TRIES` wrong codes. It is never
checked here directly: :func:`secure_shopadmin.pipeline.check_code` takes a slot of the guard's code
budget first and then calls :func:`verify`. It is a risk step, not a second factor (ASVS 6.3.6).
"""

import secrets
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record as audit
from ..conf import app_settings
from ..core import crypto, links, tokens
from ..core.models import KnownDevice
from ..core.sensitive import secret_variables
from . import alerting, notify
from .models import LoginRecord, RiskChallenge

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L look-alikes: 31 symbols, ~4.95 bits each
CODE_LENGTH = 10
MAX_TRIES = 5
MAX_TTL = 600
DENY_PURPOSE = "risk-deny"
USER_MAIL = "risk_code"


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code):
    """What the user typed, as the code was made: upper case, without spaces or dashes."""
    return "".join(str(code or "").split()).replace("-", "").upper()[:32]


def shown(code):
    """The code as mailed, in two halves: ``ABCDE-FGHJK``."""
    return f"{code[:5]}-{code[5:]}"


def code_digest(binding, code):
    return crypto.digest(f"{binding}:{normalise(code)}", "risk-code")


def binding_digest(binding):
    return crypto.digest(binding, "risk-binding")


def ttl():
    return min(int(app_settings.RISK_CODE_TTL), MAX_TTL)


def _usable(now=None):
    now = now or timezone.now()
    return RiskChallenge.objects.filter(passed_at__isnull=True, denied_at__isnull=True, expires_at__gt=now,
                                        failures__lt=MAX_TRIES)


@secret_variables
def issue(request, user, login_record, risk):
    """Create the challenge of a risky login and mail its code; returns the binding id for the
    partial login (the caller keeps it there and nowhere else)."""
    binding, code = secrets.token_urlsafe(24), new_code()
    deny_token, deny_digest = tokens.new_token(DENY_PURPOSE)
    now = timezone.now()
    challenge = RiskChallenge.objects.create(
        user=user, record=login_record, created_at=now, binding_digest=binding_digest(binding),
        code_digest=code_digest(binding, code), deny_digest=deny_digest,
        deny_token_encrypted=crypto.encrypt(deny_token.encode()), level=risk["level"],
        reasons=",".join(risk["reasons"]), mailed_at=now, expires_at=now + timedelta(seconds=ttl()))
    _mail(request, user, challenge, code, deny_token)
    audit(EventKind.RISK_CHALLENGE, request=request, actor=user, target=user, record=login_record.pk,
          level=risk["level"], score=risk["score"], reasons=list(risk["reasons"]), channel=login_record.channel)
    return binding


def _mail(request, user, challenge, code, deny_token):
    context = {
        **alerting.mail_context(challenge.record),
        "code": shown(code), "minutes": max(1, ttl() // 60), "expires_at": challenge.expires_at,
        "not_me_url": links.absolute_url(request, "secure_shopadmin:risk_not_me", deny_token),
    }
    notify.to_user(user, USER_MAIL, context)


def find(user, binding):
    """The usable challenge of this partial login, or None."""
    if not binding:
        return None
    return _usable().filter(user=user, binding_digest=binding_digest(binding)).select_related("record").first()


@secret_variables
def resend(request, user, binding):
    """Mail a new code for the same login, unless one was mailed in the last ``RISK_CODE_RESEND_AFTER``
    seconds; returns True when a code went out. The old code stops working; the "this wasn't me"
    link stays the same."""
    now = timezone.now()
    challenge = find(user, binding)
    if challenge is None:
        return False
    code = new_code()
    resent = _usable(now).filter(
        pk=challenge.pk, mailed_at__lte=now - timedelta(seconds=app_settings.RISK_CODE_RESEND_AFTER),
    ).update(code_digest=code_digest(binding, code), mailed_at=now, expires_at=now + timedelta(seconds=ttl()))
    if resent:
        challenge.expires_at = now + timedelta(seconds=ttl())
        _mail(request, user, challenge, code, crypto.decrypt(challenge.deny_token_encrypted).decode())
    return bool(resent)


@secret_variables
def verify(user, binding, code):
    """Spend the challenge when ``code`` is its code (compare-and-set); else count a wrong try.

    Called only by the pipeline, inside a slot of the guard's code budget.
    """
    challenge = find(user, binding)
    if challenge is None or not code:
        return False
    if crypto.constant_time_equal(challenge.code_digest, code_digest(binding, code)):
        spent = _usable().filter(pk=challenge.pk).update(passed_at=timezone.now())
        if spent:
            audit(EventKind.RISK_PASSED, actor=user, target=user, record=challenge.record_id,
                  reasons=challenge.reasons.split(","))
        return bool(spent)
    RiskChallenge.objects.filter(pk=challenge.pk).update(failures=F("failures") + 1)
    if challenge.failures + 1 >= MAX_TRIES:
        audit(EventKind.RISK_FAILED, actor=user, target=user, record=challenge.record_id,
              reasons=challenge.reasons.split(","))
    return False


@secret_variables
def find_denial(token):
    """The challenge whose mail carried the "this wasn't me" ``token`` (unused, younger than
    ``ALERT_LINK_TTL``), or None."""
    if not token or len(token) > 128:
        return None
    digest = tokens.token_digest(token, DENY_PURPOSE)
    since = timezone.now() - timedelta(seconds=app_settings.ALERT_LINK_TTL)
    challenge = (RiskChallenge.objects.filter(deny_digest=digest, denied_at__isnull=True, created_at__gt=since)
                 .select_related("record", "user").first())
    if challenge is None or not crypto.constant_time_equal(challenge.deny_digest, digest):
        return None
    return challenge


def disown(challenge):
    """Spend the "this wasn't me" link, end the code and disown the login (caller's transaction)."""
    now = timezone.now()
    if not RiskChallenge.objects.filter(pk=challenge.pk, denied_at__isnull=True).update(denied_at=now):
        return False
    LoginRecord.objects.filter(pk=challenge.record_id).update(disowned_at=now)
    if challenge.record.device_digest:
        KnownDevice.objects.filter(user=challenge.user, device_digest=challenge.record.device_digest).delete()
    return True


def tell_security_contacts(challenge):
    if challenge.user.is_staff:
        notify.to_security_contacts("security_contact_not_me", {
            **alerting.mail_context(challenge.record), "username": challenge.user.get_username()})
