"""The session and environment stage: runs right after the user is logged in."""

from . import device, sessions


def logged_in(request, user, partial):
    """Record the new session and learn the browser; returns what the pipeline adds to the marker."""
    device.learn(request, user)
    return {"sd": sessions.record(request, user, partial.channel)}
