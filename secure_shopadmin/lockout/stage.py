"""The guard's part in the pipeline: refuse before hashing, count failures, clear on full success.

Counting goes through django-axes (``AXES_HANDLER``); the password stage's failures reach it
through Django's ``user_login_failed`` signal, and a finished login clears them through
``user_logged_in``, which the pipeline sends only after every step succeeded.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off

DEFAULT_RETRY_AFTER = 60


def _credentials(username):
    return {"username": username}


def refusal(request, username, channel):
    """Seconds the client must wait, or 0 when it may try a password now."""
    if AxesProxyHandler.is_allowed(request, _credentials(username)):
        return 0
    return retry_after(request)


def password_failed(request, username, channel, user):
    """After a failed password: seconds to wait if that failure locked the client, else 0."""
    if getattr(request, "axes_locked_out", False):
        return retry_after(request)
    return 0


def pipeline_succeeded(request, user, partial):
    """The whole pipeline succeeded; axes clears its counters on ``user_logged_in``."""


def retry_after(request):
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else DEFAULT_RETRY_AFTER


def otp_refusal(request, user):
    """Seconds before ``user`` may try another code from this client, or 0.

    Interim budget: the capped per-device throttle of the second factor's devices.
    """
    from django.utils import timezone

    from ..twofactor.services import code_refusal

    until = code_refusal(user)
    return max(1, int((until - timezone.now()).total_seconds())) if until else 0
