import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin.resets import services

LINK_RE = re.compile(r"https?://[^\s\"<]+/security/reset/link/([A-Za-z0-9_\-]+)/")


def link_token(message=None):
    """The token of the reset link in ``message`` (default: the last mail)."""
    message = message or mail.outbox[-1]
    found = LINK_RE.search(message.body)
    assert found, message.body
    return found.group(1)


def link_path(token):
    return reverse("secure_shopadmin:reset_link", args=[token])


def require(user, mode="compromised", notify=True, **kwargs):
    """Require a reset of ``user`` and send its mail; returns the requirement."""
    services.require_reset([user.pk], mode=mode, reason="breach", notify=notify, **kwargs)
    if notify:
        services.send_reset_mails()
    return services.pending_requirement(user)


def storefront_login(client, username, password):
    return client.post(reverse("shop:login"), {"username": username, "password": password})


def console_login(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def open_link(client, token):
    """POST the mailed link (as the button on its page does); returns the response."""
    return client.post(link_path(token))


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)
