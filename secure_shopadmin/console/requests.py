"""Facts about a request the console rules need, read without a database query."""

from django.urls import Resolver404, resolve

from ..conf import app_settings
from ..core.partial import CONSOLE_RIGHTS, PARTIAL_KEY, session_marker
from ..core.policy import holds_console_rights
from ..core.requests import is_api_request  # noqa: F401  (re-exported for the console modules)
from ..core.steps import Channel

CACHE_ATTR = "_ssa_console_match"
PASSIVE_ATTR = "secure_shopadmin_not_activity"
_UNSET = object()


def resolved(request):
    """The ``ResolverMatch`` of ``request``'s path (resolved once a request), or None."""
    found = getattr(request, CACHE_ATTR, _UNSET)
    if found is _UNSET:
        try:
            found = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            found = None
        setattr(request, CACHE_ATTR, found)
    return found


def admin_namespace(request):
    """The instance namespace of the admin site ``request`` is for (e.g. ``"admin"``), or None."""
    match = resolved(request)
    return match.namespace if match is not None and "admin" in match.app_names else None


def is_passive(request):
    """A background request (polling) that is not the user's activity: its view is marked with
    :func:`~.decorators.not_activity` or its URL name is in ``PASSIVE_URL_NAMES``."""
    match = resolved(request)
    if match is None:
        return False
    return bool(getattr(match.func, PASSIVE_ATTR, False)) or match.view_name in app_settings.PASSIVE_URL_NAMES


def partial_channel(request):
    data = request.session.get(PARTIAL_KEY) if hasattr(request, "session") else None
    return data.get("channel") if isinstance(data, dict) else None


def is_console_request(request):
    """A page of an admin site, or a step of a console login that is under way."""
    return admin_namespace(request) is not None or partial_channel(request) == Channel.CONSOLE


def is_console_user_session(request):
    """The session belongs to a staff or superuser account, logged in or half-way through any login
    (console, storefront, mailed link, API): the console's network rule applies to all its requests.

    Read from the pipeline's marker or the partial login; a marker from before this fact was kept
    asks the user (one query, once per such session's request)."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    data = session.get(PARTIAL_KEY)
    if isinstance(data, dict) and isinstance(data.get("facts"), dict) and data["facts"].get(CONSOLE_RIGHTS):
        return True
    marker = session_marker(request)
    if marker is None:
        return False
    if CONSOLE_RIGHTS in marker:
        return bool(marker[CONSOLE_RIGHTS])
    return holds_console_rights(getattr(request, "user", None))
