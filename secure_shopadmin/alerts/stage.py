"""The session and environment stage: runs right after the user is logged in."""


def logged_in(request, user, partial):
    """Record the new session and compare the login's environment with the user's known ones."""
