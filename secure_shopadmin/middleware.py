"""The one enforcement middleware: decides every request from the session, without a query.

* A session holding a partial login reaches only the pending step's URL names, the
  pipeline's own cancel page, logout and static files; everything else, every HTTP method,
  is redirected to the step (JSON 403 under an API prefix). Anything it cannot resolve is refused.
* A logged-in session without the pipeline's marker (from before install, or from a login
  path that skipped the pipeline) is logged out.
* A logged-in session with the marker passes; ``request.user.is_verified()`` answers from it.
* Every admin site's login view is served by the pipeline's console login.
* The console's own rules (:mod:`secure_shopadmin.console`): its network list, the idle and
  absolute timeouts of sessions, and a fresh code before sensitive actions.

Sync- and async-capable: under ASGI the work on the session (database or cache) runs in Django's
thread-sensitive executor, the view chain is awaited.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.admin import AdminSite
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject

from .conf import app_settings
from .console import reauth
from .console.gate import gate as console_gate
from .core import device, sessions
from .core.partial import PARTIAL_KEY, PartialLogin, session_marker
from .core.redirects import safe_redirect
from .core.requests import is_api_request, is_static_request
from .views.login import console_login

#: token links from mails, opened in a browser that may be half-way through a login
ALWAYS_ALLOWED_URL_NAMES = frozenset({
    "secure_shopadmin:cancel_login", "secure_shopadmin:alert_was_me", "secure_shopadmin:alert_not_me",
    "secure_shopadmin:lockout_unlock", "secure_shopadmin:set_language",
    "secure_shopadmin:twofactor_codes_saved",  # only redirects on, to the step's page if one is pending
})


def is_logout(match):
    return match.url_name == "logout" or match.view_name == "secure_shopadmin:logout"


def refuse(request, url, code):
    """JSON under an API prefix, else a redirect to ``url`` if it stays on this site (else to the login)."""
    if is_api_request(request):
        return JsonResponse({"code": code}, status=401 if code == "not_authenticated" else 403)
    return safe_redirect(request, url, fallback=settings.LOGIN_URL)


class SecureShopAdminMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        refusal = self.before_view(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        self.after_view(request, response)
        return response

    async def __acall__(self, request):
        refusal = await sync_to_async(self.before_view)(request)
        if refusal is not None:
            return refusal
        response = await self.get_response(request)
        await sync_to_async(self.after_view)(request, response)
        return response

    def before_view(self, request):
        """The refusal of a request the session may not make, or None (the user then wrapped)."""
        refusal = console_gate(request)  # console network rule, session timeouts: from the session
        if refusal is not None:
            return refusal
        session = request.session
        if PARTIAL_KEY in session:
            return self._restrict_partial(request)
        if auth.SESSION_KEY in session:
            marker = session_marker(request)
            if marker is None:
                auth.logout(request)
                return refuse(request, request.get_full_path(), "not_authenticated")
            _install_verification(request, marker)
        return None

    def after_view(self, request, response):
        marker = session_marker(request) if hasattr(request, "session") else None
        if marker is not None:
            sessions.rerecord_if_rotated(request, marker)
        device.set_cookie_if_new(request, response)

    def _restrict_partial(self, request):
        partial = PartialLogin.load(request)
        if partial is None:
            return None
        if is_static_request(request):
            return None
        allowed = ALWAYS_ALLOWED_URL_NAMES | set(partial.allowed_url_names) | set(
            app_settings.EXTRA_ALLOWED_URL_NAMES
        )
        try:
            match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and (match.view_name in allowed or is_logout(match)):
            return None
        return refuse(request, partial.step_url or resolve_url(settings.LOGIN_URL),
                      partial.step_api_code or "login_incomplete")

    def process_view(self, request, view_func, view_args, view_kwargs):
        answer = reauth.resume(request)  # a submitted re-authentication page: the code, then the action
        if answer is not None:
            return answer
        site = getattr(view_func, "__self__", None)
        if isinstance(site, AdminSite) and getattr(view_func, "__name__", "") == "login":
            return console_login(request, site)
        return None


def _install_verification(request, marker):
    """Wrap ``request.user`` (and ``request.auser()``, for async views) so django-otp's ``is_verified()``
    answers from the marker, not the database."""
    verified = bool(marker.get("verified"))
    user = request.user

    def load():
        user.is_verified = lambda: verified
        return user

    request.user = SimpleLazyObject(load)
    auser = getattr(request, "auser", None)
    if auser is not None:
        async def verified_auser():
            found = await auser()
            found.is_verified = lambda: verified
            return found

        request.auser = verified_auser
