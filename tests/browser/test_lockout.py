"""In Chromium: after the limit the console login shows the lockout page; the mailed link opens it again."""

import re

import pytest
from django.core import mail

from ..conftest import STAFF_PASSWORD
from . import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, password):
    actions.log_in(page, f"{base}/admin/login/", password=password)


def test_lockout_page_then_mailed_unlock_link_frees_this_browser(live_server, browser, page, staff_user,
                                                                no_two_factor, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_ACCOUNT_LOCK_AFTER": 3,
                                 "LOCKOUT_ACCOUNT_DELAY_AFTER": 50, "SITE_URL": live_server.url}
    for _ in range(3):
        log_in(page, live_server.url, "not the password")
    assert "Too many login attempts" in page.content()
    log_in(page, live_server.url, STAFF_PASSWORD)  # refused, right password or not
    assert "Too many login attempts" in page.content()
    link = re.search(r"https?://\S+/security/unlock/[\w-]+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    actions.follow(page, "#unlock-form input[type=submit]")
    page.wait_for_url("**/admin/login/")
    other = browser.new_context(locale="en-US").new_page()  # only the browser that confirmed is freed
    log_in(other, live_server.url, STAFF_PASSWORD)
    assert "Too many login attempts" in other.content()
    other.context.close()
    log_in(page, live_server.url, STAFF_PASSWORD)
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "Site administration" in page.content()

