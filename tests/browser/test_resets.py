"""Forced resets in Chromium: the old password is dead, the mailed link sets a new one, old sessions end,
and staff pass the TOTP code before choosing the new password."""

import pytest
from django.urls import reverse

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device
from ..resets.conftest import link_path, link_token, require
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "a fresh and long passphrase 42"


def storefront_login(page, base, username, password):
    log_in(page, f"{base}/login/", username, password, button="#login-form button[type=submit]")


def choose_new_password(page, password):
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    follow(page, "#set-password-form input[type=submit]")


def test_member_with_compromised_requirement_resets_through_the_mailed_link(live_server, browser, page, member):
    base = live_server.url
    # an old session, logged in before the breach was known
    old_context = browser.new_context()
    old_page = old_context.new_page()
    storefront_login(old_page, base, member.username, MEMBER_PASSWORD)
    old_page.wait_for_url(f"{base}/account/")

    require(member)

    # the old password no longer logs in, and nothing is reachable
    storefront_login(page, base, member.username, MEMBER_PASSWORD)
    assert page.locator(".errornote").is_visible()
    page.goto(f"{base}/account/")
    assert "/login/" in page.url
    # the old session is gone
    old_page.goto(f"{base}/account/")
    assert "/login/" in old_page.url
    old_context.close()

    # the mailed link: GET shows a button, the button spends the link
    page.goto(base + link_path(link_token()))
    follow(page, "#reset-link-form input[type=submit]")
    page.wait_for_url(f"{base}{reverse('secure_shopadmin:reset_password')}")
    # anything else still leads back to the reset
    page.goto(f"{base}/account/")
    assert page.url == f"{base}{reverse('secure_shopadmin:reset_password')}"
    choose_new_password(page, MEMBER_PASSWORD)
    assert "different from your former one" in page.content()
    choose_new_password(page, "password123")
    assert "leaked in breaches" in page.content()
    choose_new_password(page, NEW_PASSWORD)
    page.wait_for_url(f"{base}{reverse('secure_shopadmin:reset_done')}?next=%2Faccount%2F")
    assert page.locator("h1").inner_text() == "Your password was changed"
    assert page.locator("#step-two-factor a").inner_text() == "Turn on two-factor authentication"
    follow(page, "#continue")
    page.wait_for_url(f"{base}/account/")
    assert member.username in page.content()
    # the link is spent
    page.goto(base + link_path(link_token(_first_link_mail())))
    assert "no longer works" in page.content()


def _first_link_mail():
    from django.core import mail

    return next(m for m in mail.outbox if "/security/reset/link/" in m.body)


def test_staff_passes_totp_before_the_new_password(live_server, page, staff_user):
    base = live_server.url
    totp = enrol_device(staff_user)
    require(staff_user)
    log_in(page, f"{base}/admin/login/", password=STAFF_PASSWORD)
    assert "/admin/login/" in page.url  # the old password is dead

    page.goto(base + link_path(link_token()))
    follow(page, "#reset-link-form input[type=submit]")
    page.wait_for_url(f"{base}{reverse('secure_shopadmin:twofactor_verify')}")
    page.goto(f"{base}{reverse('secure_shopadmin:reset_password')}")
    assert page.url == f"{base}{reverse('secure_shopadmin:twofactor_verify')}"  # no skipping the code
    page.fill("input[name=otp_token]", totp.now())
    with page.expect_navigation(wait_until="load"):
        page.locator("input[name=otp_token]").press("Enter")
    page.wait_for_url(f"{base}{reverse('secure_shopadmin:reset_password')}")
    choose_new_password(page, NEW_PASSWORD)
    page.wait_for_url(f"{base}/admin/")
    assert page.locator("#site-name").is_visible()


def test_member_changes_address_through_the_link_mailed_to_it(live_server, page, member):
    import re

    from django.core import mail

    base = live_server.url
    storefront_login(page, base, member.username, MEMBER_PASSWORD)
    page.wait_for_url(f"{base}/account/")
    page.goto(base + reverse("secure_shopadmin:email_change"))
    page.fill("#id_email", "fresh@members.example")
    page.fill("#id_password", MEMBER_PASSWORD)
    follow(page, "#email-change-form input[type=submit]")
    assert "We have sent a link to the new address" in page.inner_text(".messagelist")
    member.refresh_from_db()
    assert member.email == "m1@members.example"

    [asked] = [m for m in mail.outbox if m.to == ["fresh@members.example"]]
    page.goto(re.search(r"https?://\S+/security/account/email/confirm/\S+/", asked.body).group(0))
    assert "fresh@members.example" in page.inner_text("#content-main")
    follow(page, "#email-confirm-form input[type=submit]")
    assert page.locator("#email-confirmed").is_visible()
    member.refresh_from_db()
    assert member.email == "fresh@members.example"
