"""The console's part of the enforcement middleware: one call at the start of every request."""

from django.contrib.auth import SESSION_KEY

from ..core.partial import session_marker
from . import networks, timeouts
from .requests import is_console_request, is_console_user_session, resolved

#: reachable from anywhere even by a staff session: spending a break-glass link
PASS_URL_NAME = "secure_shopadmin:console_pass"


def needs_console_network(request):
    """A console request, or any request of a staff or superuser session (whatever its login path)."""
    if is_console_request(request):
        return True
    if not is_console_user_session(request):
        return False
    match = resolved(request)
    return match is None or match.view_name != PASS_URL_NAME


def gate(request):
    """None to go on, or the answer to give instead: a 403 for a console request, or any request of
    a staff or superuser session, from outside the allowed networks; the console login for a session
    past its idle or absolute timeout.

    Costs no query on a request that passes (the network list is parsed once; the session's marker
    holds the times).
    """
    if networks.restricted() and needs_console_network(request) and not networks.admits(request):
        return networks.refusal(request)
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    marker = session_marker(request)
    if marker is None:
        return None  # the middleware logs out a session without the marker
    return timeouts.check(request, marker)
