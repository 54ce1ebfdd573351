"""What the session holds of a login: the *partial login* on the way, the *marker* once done.

A partial login (:class:`PartialLogin`) is a password-checked login waiting for further steps: it
is not a login, it expires, and the enforcement middleware lets it reach only the pending step's
pages. A finished login leaves the marker (:data:`MARKER_KEY`) in the session, from which the
middleware decides every later request without a database query.
"""

import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare

from ..conf import app_settings
from . import preload

PARTIAL_KEY = "_secure_shopadmin_partial"
MARKER_KEY = "_secure_shopadmin"
MARKER_VERSION = 1
USER_ATTR = "_secure_shopadmin_partial_user"
#: key, in the marker and in a partial login's facts, saying the user is staff or superuser
CONSOLE_RIGHTS = "console"


@dataclass
class PartialLogin:
    """A password-checked login waiting for further steps, stored in the session."""

    user_id: str
    backend: str
    auth_hash: str
    channel: str
    next_url: str = ""
    started: float = 0.0
    done: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    step: str = ""
    step_url: str = ""
    step_api_code: str = ""
    allowed_url_names: list = field(default_factory=list)

    def save(self, request):
        request.session[PARTIAL_KEY] = self.__dict__.copy()

    @classmethod
    def load(cls, request):
        """The session's partial login, or None if absent, expired or no longer valid."""
        data = request.session.get(PARTIAL_KEY)
        if not isinstance(data, dict):
            return None
        try:
            partial = cls(**data)
        except TypeError:
            discard_partial(request)
            return None
        if time.time() - partial.started > app_settings.PARTIAL_LOGIN_TIMEOUT:
            discard_partial(request)
            return None
        return partial

    def get_user(self, request=None):
        """The user, if it still exists, may log in and has not changed its password meanwhile.

        With ``request``, the user loaded (or authenticated) earlier in the same request is reused.
        """
        user = getattr(request, USER_ATTR, None)
        if user is None or str(user.pk) != self.user_id or not self._admits(user):
            user_model = get_user_model()
            try:
                user = preload.user_with_facts(user_model._meta.pk.to_python(self.user_id))
            except (ValidationError, ValueError):
                return None
            if user is None or not self._admits(user):
                return None
            remember_user(request, user)
        user.backend = self.backend
        return user

    def _admits(self, user):
        return getattr(user, "is_active", True) and constant_time_compare(user.get_session_auth_hash(), self.auth_hash)


def remember_user(request, user):
    """Keep ``user`` (just authenticated or loaded) for this request's later :meth:`PartialLogin.get_user`."""
    if request is not None:
        setattr(request, USER_ATTR, user)


def discard_partial(request):
    request.session.pop(PARTIAL_KEY, None)


def at_step(request, step_name):
    """The partial login and its user when the session's login waits at ``step_name``, else (None, None)."""
    partial = PartialLogin.load(request)
    if partial is None or partial.step != step_name:
        return None, None
    return partial, partial.get_user(request)


def session_marker(request):
    """The pipeline's marker of the session's login, or None (no login, or one that skipped the pipeline)."""
    marker = request.session.get(MARKER_KEY)
    if isinstance(marker, dict) and marker.get("v") == MARKER_VERSION:
        return marker
    return None
