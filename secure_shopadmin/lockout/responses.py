"""The answer to a refused login: HTTP 429 with ``Retry-After``, a page in the admin's look or JSON."""

from datetime import timedelta

from django.contrib import admin
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from ..core.requests import is_api_request
from .stage import retry_after as guard_retry_after


def lockout_response(request, retry_after, *, codes=False):
    """Say no more than "too many attempts, try again at …": never whether the account exists,
    nor which rule refused. ``codes`` says "wrong codes" instead (the password was right)."""
    retry_after = max(1, int(retry_after))
    retry_at = timezone.localtime(timezone.now() + timedelta(seconds=retry_after))
    if is_api_request(request):
        code = "too_many_codes" if codes else "too_many_attempts"
        response = JsonResponse({"code": code, "retry_after": retry_after}, status=429)
    else:
        site = admin.site  # the admin's look without each_context(): no app list built for a refusal
        context = {"site_header": site.site_header, "site_title": site.site_title, "site_url": site.site_url,
                   "has_permission": False, "is_nav_sidebar_enabled": False, "available_apps": [],
                   "retry_at": retry_at, "retry_after": retry_after, "codes": codes}
        # rendered now: axes' middleware returns it from outside the view layer
        response = TemplateResponse(request, "secure_shopadmin/lockout.html", context, status=429).render()
    response["Retry-After"] = str(retry_after)
    return response


def axes_lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: axes' own lockouts answer the same way as the guard's."""
    return lockout_response(getattr(request, "_request", request), guard_retry_after(request))
