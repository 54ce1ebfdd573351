"""The unfamiliar-environment alert in Chromium: a login from a fresh browser of another kind mails an
alert; "this wasn't me", confirmed on its page, logs the first browser out and requires a reset."""

import re

import pytest
from django.core import mail

from secure_shopadmin.alerts.models import EnvironmentAlert
from secure_shopadmin.resets.models import ResetRequirement

from ..conftest import MEMBER_PASSWORD
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOT_ME_RE = re.compile(r"https?://[^\s\"<]+/security/alerts/[A-Za-z0-9_\-]+/not-me/")
# Another browser family than the test's Chromium: the same machine and network, a different browser.
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def storefront_login(page, base, username, password):
    log_in(page, f"{base}/login/", username, password, button="#login-form button[type=submit]")
    page.wait_for_url(f"{base}/account/")


def test_this_wasnt_me_logs_out_every_browser_and_requires_a_reset(live_server, browser, page, member):
    base = live_server.url
    storefront_login(page, base, member.username, MEMBER_PASSWORD)  # the first login: learned silently
    assert not mail.outbox

    fresh = browser.new_context(locale="en-US", user_agent=FIREFOX)
    intruder = fresh.new_page()
    storefront_login(intruder, base, member.username, MEMBER_PASSWORD)
    [alert] = [m for m in mail.outbox if m.to == [member.email]]
    assert "Firefox" in alert.body
    not_me_url = NOT_ME_RE.search(alert.body).group(0)

    # the mail's link opens a page; opening it changes nothing
    reader = browser.new_context(locale="en-US").new_page()
    reader.goto(not_me_url)
    assert reader.locator("#alert-form").is_visible()
    page.goto(f"{base}/account/")
    assert page.url == f"{base}/account/"
    assert EnvironmentAlert.objects.get().denied_at is None

    # the button acts
    follow(reader, "#alert-form input[type=submit]")
    reader.locator("#alert-done").wait_for()

    for logged_out in (page, intruder):
        logged_out.goto(f"{base}/account/")
        assert "/login/" in logged_out.url
    requirement = ResetRequirement.objects.get(user=member)
    assert requirement.mode == "compromised" and requirement.is_pending
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert any("/security/reset/link/" in m.body for m in mail.outbox if m.to == [member.email])

    # the link is spent: the same page now says so
    reader.goto(not_me_url)
    assert reader.locator("#alert-link-invalid").is_visible()
    fresh.close()
    reader.context.close()
