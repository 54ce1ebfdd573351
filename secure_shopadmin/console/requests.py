"""Facts about a request the console rules need, read without a database query."""

from django.urls import Resolver404, resolve

from ..core.partial import PARTIAL_KEY
from ..core.requests import is_api_request  # noqa: F401  (re-exported for the console modules)
from ..core.steps import Channel

CACHE_ATTR = "_ssa_console_site"
_UNSET = object()


def admin_namespace(request):
    """The instance namespace of the admin site ``request`` is for (e.g. ``"admin"``), or None."""
    found = getattr(request, CACHE_ATTR, _UNSET)
    if found is _UNSET:
        try:
            match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        found = match.namespace if match is not None and "admin" in match.app_names else None
        setattr(request, CACHE_ATTR, found)
    return found


def partial_channel(request):
    data = request.session.get(PARTIAL_KEY) if hasattr(request, "session") else None
    return data.get("channel") if isinstance(data, dict) else None


def is_console_request(request):
    """A page of an admin site, or a step of a console login that is under way."""
    return admin_namespace(request) is not None or partial_channel(request) == Channel.CONSOLE
