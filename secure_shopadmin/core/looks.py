"""Which look a page of the app wears: the admin's for staff (the console), the shop's for members.

Every page a member may see extends ``secure_shopadmin/page.html``, which extends the template named
by the context's ``ssa_page_base``: ``STOREFRONT_BASE_TEMPLATE`` (default: a neutral page shipped with
the app), or ``secure_shopadmin/console_base.html`` (the admin's look) for staff.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import reverse

from ..conf import app_settings
from .mail import shop_name
from .partial import PartialLogin
from .steps import Channel

CONSOLE_BASE = "secure_shopadmin/console_base.html"
STOREFRONT, CONSOLE = "ssa-storefront", "ssa-console"


def is_console(request, user=None, channel=None):
    """Console look for a console login's steps and for staff; the storefront's for everyone else.

    ``channel`` (a login's) decides first, then ``user`` (e.g. the owner of a mailed link), then the
    request's partial login, then the logged-in user; an anonymous visitor gets the storefront look.
    """
    if channel:
        return channel == Channel.CONSOLE
    if user is not None:
        return bool(getattr(user, "is_staff", False))
    partial = PartialLogin.load(request)
    if partial is not None:
        return partial.channel == Channel.CONSOLE
    current = getattr(request, "user", None)
    return bool(current is not None and current.is_authenticated and current.is_staff)


def page_context(request, *, user=None, channel=None):
    """The context every page of the app needs for its look (plus the admin's own context in the console)."""
    name = shop_name()
    if is_console(request, user, channel):
        return {**admin.site.each_context(request), "ssa_page_base": CONSOLE_BASE, "ssa_look": CONSOLE,
                "shop_name": name}
    return {"ssa_page_base": app_settings.STOREFRONT_BASE_TEMPLATE, "ssa_look": STOREFRONT, "shop_name": name,
            "site_header": name, "site_title": name}


def home_url(channel):
    """Where a finished login goes without a ``next``: the admin's index for the console; for the
    storefront the host's ``LOGIN_REDIRECT_URL`` if it set one, else the site's root (Django's default,
    ``/accounts/profile/``, is a page few shops have)."""
    if channel == Channel.CONSOLE:
        return reverse("admin:index")
    if settings.is_overridden("LOGIN_REDIRECT_URL"):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    return "/"
