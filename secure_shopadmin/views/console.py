"""The break-glass console link: GET shows a button, only the POST spends the link."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..console import passes
from ..core.redirects import safe_redirect


def _page(request, template, context, status=200):
    site = admin.site
    context = {"site_header": site.site_header, "site_title": site.site_title, "site_url": site.site_url,
               "has_permission": False, "is_nav_sidebar_enabled": False, "available_apps": [], **context}
    response = TemplateResponse(request, f"secure_shopadmin/console/{template}", context, status=status)
    response["Referrer-Policy"] = "same-origin"  # the token is in the path
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def console_pass(request, token):
    found = passes.find_usable(token)
    if found is None:
        return _page(request, "pass_invalid.html", {"title": _("Link not valid")}, status=410)
    if request.method == "GET":
        return _page(request, "pass.html", {"title": _("Console access from this browser")})
    response = safe_redirect(request, "admin:login")
    if not passes.spend(request, response, found):
        return _page(request, "pass_invalid.html", {"title": _("Link not valid")}, status=410)
    return response
