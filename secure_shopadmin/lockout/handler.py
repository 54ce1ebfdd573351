"""``AXES_HANDLER``: django-axes' handler API on the guard's counters.

With ``axes.backends.AxesStandaloneBackend`` first in ``AUTHENTICATION_BACKENDS``, every
``authenticate(request=…)`` asks :meth:`GuardHandler.is_allowed` before any other backend hashes
a password. A request the pipeline already reserved for passes straight through (counted once);
any other caller (DRF's token and basic authentication, a host's own view) gets its slot reserved
here, before hashing, and given back at the end of the request unless ``user_login_failed`` came.
django-axes' own lockout flag then turns a refusal into the guard's 429 (``AXES_LOCKOUT_CALLABLE``).

The ``axes_reset``, ``axes_reset_ip``, ``axes_reset_username`` and ``axes_reset_ip_username``
commands lift the guard's locks; ``axes_reset_logs`` prunes django-axes' access logs.
"""

import logging

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.helpers import get_client_session_hash
from axes.models import AccessFailureLog, AccessLog
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ..conf import app_settings
from . import ip, keys, services

logger = logging.getLogger("secure_shopadmin.lockout")


class GuardHandler(AbstractAxesHandler, AxesBaseHandler):
    def is_allowed(self, request, credentials=None):
        if app_settings.AXES_ONLY_ADMIN_SITE and not self.is_admin_request(request):
            return True
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        username = keys.username_from_credentials(credentials) or ""
        if "\x00" in username:  # no account has one; PostgreSQL could not even look it up
            raise PermissionDenied  # authenticate() answers None, nothing is counted or hashed
        reservation = services.password_reservation(request, username)
        if reservation is None:  # not from the pipeline: reserve here, before any hash
            reservation = services.reserve_password(request, username)
        if reservation.refused:
            http = services.http_request(request)
            http.axes_locked_out = request.axes_locked_out = True
            http.axes_credentials = request.axes_credentials = {"username": username}
            return False
        return True

    def is_locked(self, request, credentials=None):
        username = keys.username_from_credentials(credentials) or ""
        return services.store().peek_password(services.subject_for(request, username)) > 0

    def get_failures(self, request, credentials=None):
        username = keys.normalise_username(keys.username_from_credentials(credentials) or "")

        counts = services.store().failures(username, ip.request_key(request))
        return max(counts.values(), default=0)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None:
            return
        username = keys.username_from_credentials(credentials) or ""
        reservation = services.password_reservation(request, username)
        if reservation is None or reservation.refused:
            return  # refused before hashing: nothing was checked, nothing to count
        if services.failed(request, reservation):  # this failure completed a lock: answer 429 now
            http = services.http_request(request)
            http.axes_locked_out = request.axes_locked_out = True
            http.axes_credentials = request.axes_credentials = {"username": username}
        if app_settings.AXES_ENABLE_ACCESS_FAILURE_LOG:
            AccessFailureLog.objects.create(
                username=reservation.subject.username, ip_address=getattr(request, "axes_ip_address", None),
                user_agent=getattr(request, "axes_user_agent", "")[:255],
                http_accept=getattr(request, "axes_http_accept", "")[:1025],
                path_info=getattr(request, "axes_path_info", "")[:255],
                attempt_time=timezone.now(), locked_out=bool(reservation.new_locks),
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        """Counters are cleared by the pipeline's last stage, not here; this only writes axes' access log."""
        if request is None or app_settings.AXES_DISABLE_ACCESS_LOG:
            return
        AccessLog.objects.create(
            username=user.get_username(), ip_address=getattr(request, "axes_ip_address", None),
            user_agent=getattr(request, "axes_user_agent", "")[:255],
            http_accept=getattr(request, "axes_http_accept", "")[:1025],
            path_info=getattr(request, "axes_path_info", "")[:255],
            attempt_time=timezone.now(), session_hash=get_client_session_hash(request),
        )

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is None or user is None or app_settings.AXES_DISABLE_ACCESS_LOG:
            return
        AccessLog.objects.filter(
            username=user.get_username(), logout_time__isnull=True,
            session_hash=get_client_session_hash(request),
        ).update(logout_time=timezone.now())

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        return services.reset(ip_address=ip_address, username=username, ip_or_username=ip_or_username)

    def reset_logs(self, *, age_days=None):
        logs = AccessLog.objects.all()
        if age_days is not None:
            logs = logs.filter(attempt_time__lte=timezone.now() - timezone.timedelta(days=age_days))
        return logs.delete()[0]

    def reset_failure_logs(self, *, age_days=None):
        logs = AccessFailureLog.objects.all()
        if age_days is not None:
            logs = logs.filter(attempt_time__lte=timezone.now() - timezone.timedelta(days=age_days))
        return logs.delete()[0]

    def post_save_access_attempt(self, instance, **kwargs):
        """The guard does not use axes' AccessAttempt rows."""

    def post_delete_access_attempt(self, instance, **kwargs):
        """The guard does not use axes' AccessAttempt rows."""
