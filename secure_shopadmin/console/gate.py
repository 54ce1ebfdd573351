"""The console's part of the enforcement middleware: one call at the start of every request."""

from django.contrib.auth import SESSION_KEY

from ..core.partial import session_marker
from . import networks, timeouts
from .requests import is_console_request


def gate(request):
    """None to go on, or the answer to give instead: a 403 for a console request from outside the
    allowed networks, the console login for a session past its idle or absolute timeout.

    Costs no query on a request that passes (the network list is parsed once; the session's marker
    holds the times).
    """
    if networks.restricted() and is_console_request(request) and not networks.admits(request):
        return networks.refusal(request)
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    marker = session_marker(request)
    if marker is None:
        return None  # the middleware logs out a session without the marker
    return timeouts.check(request, marker)
