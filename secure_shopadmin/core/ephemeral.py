"""A session that lives only in memory, for one request's login that must leave no session behind.

The JSON token endpoint runs the whole pipeline on one of these instead of the browser's own
session: a cross-site request cannot end, replace or read the session the browser holds, and
nothing is written to the session backend.
"""

from django.contrib.sessions.backends.base import SessionBase


class EphemeralSession(SessionBase):
    """Keeps its data in memory; never saved, never found by another request."""

    def exists(self, session_key):
        return False

    def create(self):
        self._session_key = self._get_new_session_key()
        self.modified = True

    def save(self, must_create=False):
        if self.session_key is None:
            self.create()

    def delete(self, session_key=None):
        self._session_key = None

    def load(self):
        return {}

    @classmethod
    def clear_expired(cls):
        pass


class ephemeral_session:
    """``with ephemeral_session(request):`` swaps in an :class:`EphemeralSession`, and back after."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        self.saved = getattr(self.request, "session", None)
        self.request.session = EphemeralSession()
        return self.request.session

    def __exit__(self, *exc):
        self.request.session = self.saved
        return False
