"""Second-factor logic in plain functions; the views only call these."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.db import transaction

from ..audit.models import EventKind
from ..audit.services import record
from ..core import api_tokens
from ..core.mail import send_to_user
from ..core.policy import requires_phishing_resistant
from ..core.sensitive import secret_variables
from ..core.sessions import end_user_sessions
from . import browsers, links, recovery, signals, totp
from .models import AuthenticatorDevice, RecoveryCodeSet, RememberedBrowser
from .passkeys import ceremonies as passkeys
from .passkeys import signin
from .passkeys.models import PasskeyDevice
from .passkeys.relying_party import available as passkeys_available


def has_device(user):
    """True when ``user`` holds a confirmed authenticator app or passkey (one query)."""
    apps = AuthenticatorDevice.objects.filter(user=user, confirmed=True).values("pk")
    return apps.union(PasskeyDevice.objects.filter(user=user, confirmed=True).values("pk")).exists()


def has_acceptable_device(user):
    """True when ``user`` holds a device the policy accepts: a passkey under REQUIRE_PHISHING_RESISTANT."""
    return passkeys.has_passkey(user) if requires_phishing_resistant(user) else has_device(user)


def accepts_codes(user):
    """Whether a typed code (TOTP, recovery) may pass ``user``'s second factor: not under REQUIRE_PHISHING_RESISTANT."""
    return not requires_phishing_resistant(user)


def confirmed_devices(user):
    return list(AuthenticatorDevice.objects.filter(user=user, confirmed=True))


@secret_variables
def check_code(request, user, token="", passkey_answer="", *, sign_in_passkey=False):
    """Check a second factor of ``user``: the method that matched (``"passkey"``, ``"totp"``,
    ``"recovery"``), or None.

    ``passkey_answer`` is the browser's answer to this session's sign-in challenge; a wrong, foreign
    or replayed one fails like a wrong code. With ``sign_in_passkey`` only one of the user's sign-in
    passkeys, with user verification, passes (:func:`sign_in_passkey_options`' challenge). The
    guard's budget is asked before (by the pipeline), and counts a failure after.
    """
    if sign_in_passkey:
        passkey_answer = passkey_answer or "-"  # nothing else passes
    if passkey_answer:
        try:
            if sign_in_passkey:
                signin.verify(request, signin.claim(request, passkey_answer, user), user)
            else:
                passkeys.verify_assertion(request, user, passkey_answer)
        except passkeys.PasskeyRefused:
            signals.verification_failed.send(sender=PasskeyDevice, request=request, user=user)
            return None
        return "passkey"
    if accepts_codes(user):
        for device in confirmed_devices(user):
            if device.verify_token(token):
                return "totp"
        if recovery.use(user, token):
            recovery_code_used(request, user)
            return "recovery"
    signals.verification_failed.send(sender=AuthenticatorDevice, request=request, user=user)
    return None


def passkey_options(request, user):
    """The sign-in options for ``user``'s passkeys (the challenge kept in the session), or None without any."""
    if not passkeys_available() or not passkeys.has_passkey(user):
        return None
    return passkeys.authentication_options(request, user)


def registration_options(request, user, *, sign_in=False):
    """The options to register a passkey for ``user`` (challenge in the session), or None when unavailable.

    ``sign_in``: a passkey that may sign in alone (discoverable, user verification required)."""
    return passkeys.registration_options(request, user, sign_in=sign_in) if passkeys_available() else None


def sign_in_options(request):
    """The login page's options for a sign-in passkey, naming no user (challenge in the session), or None."""
    return signin.options(request) if passkeys_available() else None


def sign_in_passkey_options(request, user):
    """Options to confirm with one of ``user``'s sign-in passkeys (challenge in the session), or None without any."""
    if not passkeys_available() or not passkeys.sign_in_passkeys(user).exists():
        return None
    return signin.options(request, user)


def recovery_code_used(request, user):
    left = recovery.remaining(user)
    record(EventKind.RECOVERY_CODE_USED, request=request, actor=user, target=user, remaining=left)
    send_to_user(user, "recovery_code_used", {"remaining": left})
    signals.recovery_code_used.send(sender=RecoveryCodeSet, request=request, user=user, remaining=left)


def enrolled(request, user, device, method):
    """A first device (the enrolment step): remembered browsers forgotten, new recovery codes, audit and mail."""
    browsers.forget_all(user)
    codes = recovery.regenerate(user)
    record(EventKind.ENROLMENT, request=request, actor=user, target=user, method=method)
    added(user, device)
    signals.enrolled.send(sender=type(device), request=request, user=user, device=device)
    return codes


def added(user, device):
    context = {"passkey": device.name} if isinstance(device, PasskeyDevice) else {}
    transaction.on_commit(lambda: send_to_user(user, "device_added", context))


@secret_variables
@transaction.atomic
def confirm_enrolment(request, user, token):
    """Activate the pending authenticator app if ``token`` is its code; returns the new recovery codes, or None."""
    device = totp.pending_device(user)
    if not device.verify_token(token):
        return None
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return enrolled(request, user, device, "totp")


@transaction.atomic
def enrol_passkey(request, user, answer, name=""):
    """Register the passkey of the browser's ``answer`` as a first device; returns the new recovery
    codes, or None when the answer is refused."""
    try:
        device = passkeys.register(request, user, answer, name)
    except passkeys.PasskeyRefused:
        return None
    return enrolled(request, user, device, "passkey")


@transaction.atomic
def add_authenticator(request, user, token):
    """Self-service: activate another authenticator app (the others stay); returns it, or None."""
    device = totp.pending_device(user)
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.name = default_app_name(user)
    device.save(update_fields=["confirmed", "name"])
    record(EventKind.ENROLMENT, request=request, actor=user, target=user, method="totp", added=device.name)
    added(user, device)
    signals.enrolled.send(sender=AuthenticatorDevice, request=request, user=user, device=device)
    return device


def default_app_name(user):
    count = AuthenticatorDevice.objects.filter(user=user, confirmed=True).count()
    return f"Authenticator {count + 1}" if count else "Authenticator"


@transaction.atomic
def add_passkey(request, user, answer, name="", *, sign_in=False):
    """Self-service: register another passkey (``sign_in``: one that signs in alone); returns it, or
    None when the answer is refused."""
    try:
        device = passkeys.register(request, user, answer, name, sign_in=sign_in)
    except passkeys.PasskeyRefused:
        return None
    added(user, device)
    signals.enrolled.send(sender=PasskeyDevice, request=request, user=user, device=device)
    return device


@transaction.atomic
def remove_device(user, kind, pk, *, request=None, actor=None):
    """Remove one of ``user``'s devices (``kind``: ``"passkey"`` or ``"totp"``), forget their remembered
    browsers and end all of their sessions; returns the removed device's name, or None."""
    if kind == "passkey":
        name = passkeys.remove(user, pk, request=request, actor=actor, reason="removed by the user")
    else:
        device = AuthenticatorDevice.objects.filter(user=user, pk=pk, confirmed=True).first()
        name = device and device.name
        if device is not None:
            device.delete()
            record(EventKind.DEVICE_RESET, request=request, actor=actor, target=user, reason="removed by the user",
                   authenticator=name)
    if name is None:
        return None
    browsers.forget_all(user)
    end_user_sessions(user)
    api_tokens.revoke_all([user.pk])  # a token is a second-factor credential: it goes with any device
    context = {"by_admin": actor not in (None, user), "device_name": name}
    transaction.on_commit(lambda: send_to_user(user, "device_removed", context))
    signals.device_removed.send(sender=PasskeyDevice if kind == "passkey" else AuthenticatorDevice,
                                request=request, user=user, actor=actor, name=name)
    return name


def regenerate_recovery_codes(request, user):
    codes = recovery.regenerate(user)
    record(EventKind.ENROLMENT, request=request, actor=user, target=user, recovery_codes="regenerated")
    return codes


@transaction.atomic
def remove_devices(user, *, request=None, actor=None, reason=""):
    """Remove every device (authenticator apps, passkeys, recovery codes) and remembered browser of
    ``user`` and end all of their sessions."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    removed_passkeys, _ = PasskeyDevice.objects.filter(user=user).delete()
    RecoveryCodeSet.objects.filter(user=user).delete()
    browsers.forget_all(user)
    end_user_sessions(user)
    api_tokens.revoke_all([user.pk])  # a token is a second-factor credential: it goes with the devices
    record(EventKind.DEVICE_RESET, request=request, actor=actor, target=user, reason=reason,
           passkeys=removed_passkeys)
    transaction.on_commit(lambda: send_to_user(user, "device_removed", {"by_admin": actor not in (None, user)}))
    signals.device_reset.send(sender=AuthenticatorDevice, request=request, user=user, actor=actor, reason=reason)


def admin_reset(request, user, *, reason):
    """An owner resets ``user``'s second factor: devices gone, sessions ended, a new enrolment link mailed.

    Returns what became of the mail (``links.SENT`` or ``links.FAILED``)."""
    remove_devices(user, request=request, actor=request.user, reason=reason)
    link, url = links.issue_link(user, issued_by=request.user, request=request, reason=reason)
    return links.mail(user, url, request, link)


@transaction.atomic
def break_glass(request, link):
    """A break-glass link: reset the second factor and lift the account's lockouts."""
    user = link.user
    remove_devices(user, request=request, reason="break-glass link")
    AxesProxyHandler.reset_attempts(username=user.get_username())
    record(EventKind.UNLOCK, request=request, target=user, reason="break-glass link")
    return user


def user_by_username(username):
    user_model = get_user_model()
    return user_model._default_manager.get_by_natural_key(username)


def forget_remembered_browsers(user):
    """Every remembered browser of ``user`` must pass the second factor again; returns how many."""
    return browsers.forget_all(user)


def forget_remembered_browsers_of(user_ids):
    """Bulk form of :func:`forget_remembered_browsers`: one DELETE for many users; returns how many."""
    deleted, _ = RememberedBrowser.objects.filter(user_id__in=user_ids).delete()
    return deleted
