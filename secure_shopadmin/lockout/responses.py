"""The answer to a refused login: HTTP 429 with ``Retry-After``, a page in the admin's look or JSON."""

from datetime import timedelta

from django.contrib import admin
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from ..middleware import is_api_request
from .stage import retry_after as axes_retry_after


def lockout_response(request, retry_after):
    """Say no more than "too many attempts, try again at …": never whether the account exists."""
    retry_after = max(1, int(retry_after))
    retry_at = timezone.localtime(timezone.now() + timedelta(seconds=retry_after))
    if is_api_request(request):
        response = JsonResponse({"code": "too_many_attempts", "retry_after": retry_after}, status=429)
    else:
        context = {**admin.site.each_context(request), "retry_at": retry_at, "retry_after": retry_after}
        # rendered now: axes' middleware returns it from outside the view layer
        response = TemplateResponse(request, "secure_shopadmin/lockout.html", context, status=429).render()
    response["Retry-After"] = str(retry_after)
    return response


def axes_lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: axes' own lockouts answer the same way as the guard's."""
    return lockout_response(request, axes_retry_after(request))
