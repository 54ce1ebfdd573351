"""The session and environment stage: runs right after the user is logged in."""

from . import sessions


def logged_in(request, user, partial):
    """Record the new session; returns what the pipeline adds to the session's marker."""
    return {"sd": sessions.record(request, user, partial.channel)}
