import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin.alerts.models import LoginRecord

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD

CHROME_120_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/120.0.0.0 Safari/537.36")
CHROME_121_WINDOWS = CHROME_120_WINDOWS.replace("Chrome/120", "Chrome/121")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")
HOME_IP, HOME_IP_2 = "203.0.113.10", "203.0.113.77"  # one /24
OTHER_IP, THIRD_IP = "198.51.100.5", "192.0.2.44"

WAS_ME_RE = re.compile(r"https?://[^\s\"<]+(/security/alerts/[A-Za-z0-9_\-]+/me/)")
NOT_ME_RE = re.compile(r"https?://[^\s\"<]+(/security/alerts/[A-Za-z0-9_\-]+/not-me/)")


def browser(user_agent=CHROME_120_WINDOWS, ip=HOME_IP, **kwargs):
    """A test client that always sends this User-Agent from this IP (a browser on a network)."""
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip, **kwargs)


def log_in(client, user, capture):
    """Log ``user`` in on the storefront (members) or console (staff); runs the on-commit mails.

    Returns the login's record.
    """
    url = reverse("admin:login") if user.is_staff else reverse("shop:login")
    password = STAFF_PASSWORD if user.is_staff else MEMBER_PASSWORD
    with capture(execute=True):
        response = client.post(url, {"username": user.get_username(), "password": password})
    assert response.status_code == 302, response.content[:500]
    return LoginRecord.objects.filter(user=user).order_by("-pk").first()


def alert_mails(user):
    return [m for m in mail.outbox if m.to == [user.email] and "/security/alerts/" in m.body]


def link_path(pattern, message=None):
    message = message or mail.outbox[-1]
    found = pattern.search(message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def login(django_capture_on_commit_callbacks):
    return lambda client, user: log_in(client, user, django_capture_on_commit_callbacks)


@pytest.fixture
def known_member(member, login):
    """A member whose first login (Chrome 120 on Windows, home network) is recorded."""
    login(browser(), member)
    mail.outbox.clear()
    return member
