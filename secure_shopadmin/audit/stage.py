"""The audit stage: the last of the pipeline."""

from .models import EventKind
from .services import record


def logged_in(request, user, partial):
    """A console login is a security action and is written to the audit trail."""
    if partial.channel == "console":
        record(EventKind.CONSOLE_LOGIN, request=request, actor=user, target=user,
               steps=list(partial.done))
