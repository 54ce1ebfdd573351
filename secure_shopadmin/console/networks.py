"""``CONSOLE_ALLOWED_NETWORKS``: the console is reached only from the listed networks.

A console request (a page of an admin site, or a step of a console login) from elsewhere is
answered 403 before any view runs, so before any password hash; the page says the console is not
reachable from this network and nothing about the account. The client IP is the guard's (trusted
proxies and the forwarded header, :func:`secure_shopadmin.net.client_ip`). A browser that
opened a break-glass link (:mod:`.passes`) passes from anywhere.
"""

import ipaddress
from functools import lru_cache

from django.contrib import admin
from django.http import JsonResponse
from django.template.response import TemplateResponse

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..net import client_ip, parse
from . import passes
from .requests import is_api_request


@lru_cache(maxsize=8)
def _parsed(values):
    return tuple(ipaddress.ip_network(str(value).strip(), strict=False) for value in values)


def allowed_networks():
    """The configured networks (raises ``ValueError`` on a bad CIDR; the system check E170 says which)."""
    return _parsed(tuple(app_settings.CONSOLE_ALLOWED_NETWORKS))


def restricted():
    return bool(app_settings.CONSOLE_ALLOWED_NETWORKS)


def ip_allowed(ip):
    address = parse(ip) if ip else None
    return address is not None and any(address in network for network in allowed_networks())


def admits(request):
    """True when the console may answer ``request`` (no list, an allowed IP, or a break-glass browser)."""
    if not restricted():
        return True
    return ip_allowed(client_ip(request)) or passes.holds_pass(request)


def refusal(request):
    """The 403 answer, audited; it names neither the account nor the rule's networks."""
    record(EventKind.NETWORK_REFUSED, request=request, path=request.path[:200], method=request.method)
    if is_api_request(request):
        return JsonResponse({"code": "console_network_refused"}, status=403)
    site = admin.site  # the admin's look without each_context(): no app list built for a refusal
    context = {"site_header": site.site_header, "site_title": site.site_title, "site_url": site.site_url,
               "has_permission": False, "is_nav_sidebar_enabled": False, "available_apps": []}
    return TemplateResponse(request, "secure_shopadmin/console/network_refused.html", context, status=403).render()
