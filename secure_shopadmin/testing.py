"""Helpers for a host project's own tests.

Django's ``Client.login()`` passes no request to the authentication backends (django-axes
refuses that) and ``force_login()`` skips the pipeline, so the middleware would log such a
session out. Use these instead::

    from secure_shopadmin.testing import pipeline_login
    pipeline_login(client, user)                  # as after password + second factor
    login_with_password(client, "alice", "pw")    # through the real console login
"""

import time

from django.urls import reverse

from .core import sessions
from .pipeline import MARKER_KEY, MARKER_VERSION, Channel


def pipeline_login(client, user, *, verified=True, channel=Channel.CONSOLE):
    """Log ``user`` in on ``client`` with the session the pipeline would leave."""
    client.force_login(user)
    session = client.session
    now = int(time.time())
    session[MARKER_KEY] = {"v": MARKER_VERSION, "channel": channel, "verified": verified, "at": now,
                           "code_at": now if verified else 0,
                           "sd": sessions.record_key(session.session_key, user, channel)}
    session.save()
    return client


def login_with_password(client, username, password, *, login_url=None, follow=False):
    """POST the credentials to the console login (or ``login_url``); returns the response."""
    url = login_url or reverse("admin:login")
    return client.post(url, {"username": username, "password": password}, follow=follow)
