"""Idle and absolute timeouts of a logged-in session, decided from the pipeline's marker.

The marker holds the login time (``at``) and the last recorded activity (``seen``). ``seen`` is
rewritten at most once a minute, or every quarter of the idle timeout when that is shorter, so a
busy console does not write its session on every request. Background requests (polling) are not
activity: see :func:`~.requests.is_passive`. No query is made unless the session
has timed out.
"""

import time

from django.apps import apps
from django.contrib import auth, messages
from django.contrib.messages.storage import default_storage
from django.http import JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core.redirects import safe_redirect
from ..core.steps import Channel
from .requests import admin_namespace, is_api_request, is_passive

IDLE = "idle"
MAX_AGE = "max_age"
TOUCH_EVERY = 60


def limits(channel, console_request):
    """(idle timeout, absolute lifetime) in seconds, each possibly None, for a session of ``channel``.

    A page of an admin site follows the console's limits whatever login path the session took.
    """
    if channel == Channel.CONSOLE or console_request:
        return app_settings.CONSOLE_IDLE_TIMEOUT, app_settings.CONSOLE_MAX_AGE
    if channel == Channel.STOREFRONT:
        return app_settings.STOREFRONT_IDLE_TIMEOUT, app_settings.STOREFRONT_MAX_AGE
    return None, None


def last_seen(marker):
    return marker.get("seen", marker.get("at", 0))


def expired(marker, idle, max_age, now):
    """Why the session has ended (:data:`IDLE` or :data:`MAX_AGE`), or None while it lasts."""
    if max_age and now - marker.get("at", 0) > max_age:
        return MAX_AGE
    if idle and now - last_seen(marker) > idle:
        return IDLE
    return None


def touch(request, marker, idle, now):
    """Record activity when the last record is older than the touch interval (then the session is saved).

    A background request (:func:`~.requests.is_passive`, e.g. a page polling for progress) is not
    activity; its URL is resolved only when a record is due.
    """
    if not idle:
        return
    if now - last_seen(marker) >= min(TOUCH_EVERY, idle / 4) and not is_passive(request):
        marker["seen"] = int(now)
        request.session.modified = True


def check(request, marker):
    """None while the session lasts (activity recorded), else the answer that ends it."""
    channel = marker.get("channel")
    console_request = channel != Channel.CONSOLE and bool(
        app_settings.CONSOLE_IDLE_TIMEOUT or app_settings.CONSOLE_MAX_AGE) and admin_namespace(request) is not None
    idle, max_age = limits(channel, console_request)
    if not idle and not max_age:
        return None
    now = time.time()
    reason = expired(marker, idle, max_age, now)
    if reason is None:
        touch(request, marker, idle, now)
        return None
    return end(request, marker, reason, idle if reason == IDLE else max_age)


def duration_text(seconds):
    seconds = int(seconds)
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def explanation(reason, seconds):
    if reason == IDLE:
        return _("For your security you were signed out after %(duration)s without activity. "
                 "Please log in again.") % {"duration": duration_text(seconds)}
    return _("For your security you were signed out %(duration)s after you logged in. "
             "Please log in again.") % {"duration": duration_text(seconds)}


def end(request, marker, reason, seconds):
    """Audit, log out, and send the browser on with a message saying why.

    A page of an admin site goes to that site's login with ``next``; any other page is asked for
    again, now without a login (the message travels in django.contrib.messages' storage).
    """
    user = request.user
    record(EventKind.SESSION_TIMEOUT, request=request, actor=user, target=user, reason=reason,
           channel=marker.get("channel", ""), seconds=int(seconds))
    auth.logout(request)
    if is_api_request(request):
        return JsonResponse({"code": "session_expired", "reason": reason}, status=401)
    namespace = admin_namespace(request)
    if namespace is None:
        response = safe_redirect(request, request.get_full_path())
    else:
        try:
            login_url = reverse(f"{namespace}:login")
        except NoReverseMatch:
            login_url = reverse("admin:login")
        response = safe_redirect(request, f"{login_url}?{urlencode({'next': request.get_full_path()})}")
    tell(request, response, explanation(reason, seconds))
    return response


def tell(request, response, text):
    """Add a message from before MessageMiddleware has run (stored on ``response``)."""
    if not apps.is_installed("django.contrib.messages"):
        return
    storage = default_storage(request)
    storage.add(messages.WARNING, text)
    storage.update(response)
