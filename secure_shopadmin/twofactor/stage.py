"""Stage 3 of the pipeline: the second factor.

* a user with a confirmed device gives a code (TOTP or recovery) or a passkey's signature, unless
  this browser is remembered;
* a user under ``REQUIRE_PHISHING_RESISTANT`` must sign with a passkey: a code does not pass, a
  remembered browser does not skip it, and without a passkey the user enrols one;
* a user under the policy without a device may only enrol — and enrolment opens only after the user
  proved control of the registered e-mail address (a mailed single-use link), so a leaked
  password alone cannot register the attacker's authenticator.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse

from ..conf import app_settings
from ..core import preload
from ..core.policy import requires_2fa, requires_phishing_resistant
from ..core.steps import Step
from . import browsers, links, services, signals
from .models import AuthenticatorDevice
from .passkeys import signin
from .passkeys.ceremonies import PasskeyRefused
from .passkeys.models import PasskeyDevice

VERIFY = "verify"
ENROL = "enrol"
ENROL_MAILED = "enrol_mailed"


def _confirmed(model):
    return Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))


preload.declare("has_passkey", lambda: _confirmed(PasskeyDevice))
preload.declare("has_device", lambda: ExpressionWrapper(
    Q(_confirmed(AuthenticatorDevice)) | Q(_confirmed(PasskeyDevice)), output_field=BooleanField()))


def has_acceptable_device(user):
    """:func:`services.has_acceptable_device`, from the facts the pipeline read with the user if it did."""
    name = "has_passkey" if requires_phishing_resistant(user) else "has_device"
    return bool(preload.fact(user, name, lambda: services.has_acceptable_device(user)))


def pending_step(request, user, partial):
    if "second_factor" in partial.facts:
        return None
    if has_acceptable_device(user):
        if browsers.is_remembered(request, user):
            partial.facts["second_factor"] = "remembered"
            signals.verified.send(sender=Step, request=request, user=user, method="remembered")
            return None
        return step(VERIFY, "secure_shopadmin:twofactor_verify")
    if not (requires_2fa(user) or requires_phishing_resistant(user)):
        return None
    if partial.facts.get("email_proven") or app_settings.ENROLMENT_WITHOUT_LINK:
        return step(ENROL, "secure_shopadmin:twofactor_enrol")
    partial.facts["enrolment_mail"] = links.mail_after_password(request, user)
    return step(ENROL_MAILED, "secure_shopadmin:twofactor_mailed", "secure_shopadmin:twofactor_link")


def check_code(request, user, code, passkey_answer="", *, sign_in_passkey=False):
    """The method (``"passkey"``, ``"totp"``, ``"recovery"``) that ``code`` or ``passkey_answer``
    matched, or None; the pipeline budgets it. ``sign_in_passkey``: only a sign-in passkey passes."""
    return services.check_code(request, user, code, passkey_answer, sign_in_passkey=sign_in_passkey)


def passkey_claim(request, answer):
    """A sign-in passkey's answer before its signature is checked (challenge spent, credential found):
    its ``account`` is what the guard counts the attempt against."""
    return signin.claim(request, answer)


def passkey_sign_in(request, claim):
    """The user a sign-in passkey's answer proves (password and second factor at once), or None."""
    try:
        device = signin.verify(request, claim)
    except PasskeyRefused as refusal:
        signals.verification_failed.send(sender=Step, request=request, user=refusal.device and refusal.device.user)
        return None
    signals.verified.send(sender=Step, request=request, user=device.user, method="passkey")
    return device.user


def accepts_codes(user):
    """False when only a passkey may pass ``user``'s second factor (REQUIRE_PHISHING_RESISTANT)."""
    return services.accepts_codes(user)


def step(name, url_name, *more_url_names):
    return Step(name, reverse(url_name), (url_name, *more_url_names), api_code="second_factor_required")
