"""Second-factor logic in plain functions; the views only call these."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.db import transaction

from ..audit.models import EventKind
from ..audit.services import record
from ..core.mail import send_to_user
from ..core.sessions import end_user_sessions
from . import browsers, links, recovery, signals, totp
from .models import AuthenticatorDevice, RecoveryCodeSet, RememberedBrowser


def has_device(user):
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_devices(user):
    return list(AuthenticatorDevice.objects.filter(user=user, confirmed=True))


def check_code(request, user, token):
    """Check a TOTP or recovery code of ``user``: the method that matched, or None.

    The guard's budget (``lockout.stage.otp_refusal``) is asked before, and counts a failure after.
    """
    for device in confirmed_devices(user):
        if device.verify_token(token):
            return "totp"
    if recovery.use(user, token):
        recovery_code_used(request, user)
        return "recovery"
    signals.verification_failed.send(sender=AuthenticatorDevice, request=request, user=user)
    return None


def recovery_code_used(request, user):
    left = recovery.remaining(user)
    record(EventKind.RECOVERY_CODE_USED, request=request, actor=user, target=user, remaining=left)
    send_to_user(user, "recovery_code_used", {"remaining": left})
    signals.recovery_code_used.send(sender=RecoveryCodeSet, request=request, user=user, remaining=left)


@transaction.atomic
def confirm_enrolment(request, user, token):
    """Activate the pending device if ``token`` is its code; returns the new recovery codes, or None."""
    device = totp.pending_device(user)
    if not device.verify_token(token):
        return None
    AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    browsers.forget_all(user)
    codes = recovery.regenerate(user)
    record(EventKind.ENROLMENT, request=request, actor=user, target=user)
    transaction.on_commit(lambda: send_to_user(user, "device_added", {}))
    signals.enrolled.send(sender=AuthenticatorDevice, request=request, user=user, device=device)
    return codes


def regenerate_recovery_codes(request, user):
    codes = recovery.regenerate(user)
    record(EventKind.ENROLMENT, request=request, actor=user, target=user, recovery_codes="regenerated")
    return codes


@transaction.atomic
def remove_devices(user, *, request=None, actor=None, reason=""):
    """Remove every device and remembered browser of ``user`` and end all of their sessions."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    RecoveryCodeSet.objects.filter(user=user).delete()
    browsers.forget_all(user)
    end_user_sessions(user)
    record(EventKind.DEVICE_RESET, request=request, actor=actor, target=user, reason=reason)
    transaction.on_commit(lambda: send_to_user(user, "device_removed", {"by_admin": actor not in (None, user)}))
    signals.device_reset.send(sender=AuthenticatorDevice, request=request, user=user, actor=actor, reason=reason)


def admin_reset(request, user, *, reason):
    """An owner resets ``user``'s second factor: devices gone, sessions ended, a new enrolment link mailed."""
    remove_devices(user, request=request, actor=request.user, reason=reason)
    links.mail(user, links.issue(user, issued_by=request.user, request=request, reason=reason), request)


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
