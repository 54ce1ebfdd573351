"""The example console's tour: the pages a shop owner and a member see, as screenshots for the docs.

The tests render and check every page; ``make tour`` (``SSA_TOUR=1``) also writes the screenshots
into docs/_static/tour/ (the docs' "example project" page shows them), in English and Japanese.
"""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.core.steps import Channel

from ..alerts.conftest import FIREFOX_LINUX, OTHER_IP, SAFARI_IPHONE, THIRD_IP
from ..conftest import enrol_device
from .actions import follow
from .test_qr import expected_uri, scanned
from .tour import LANGUAGES, page_logged_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.tour, pytest.mark.django_db(transaction=True)]

OWNER_PASSWORD = "owner-demo-pass-2024"
MEMBER_PASSWORD = "member-demo-pass"


def members_log_in_from_elsewhere():
    """A few storefront logins from other browsers and networks, for the login records."""
    for username, user_agent, ip in (("member0002", FIREFOX_LINUX, OTHER_IP), ("member0003", SAFARI_IPHONE, THIRD_IP),
                                     ("member0002", SAFARI_IPHONE, THIRD_IP)):
        client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
        answer = client.post(reverse("shop:login"), {"username": username, "password": MEMBER_PASSWORD})
        assert answer.status_code == 302


def test_owner_tour_of_the_security_console(live_server, browser):
    call_command("seed_demo", members=60, stdout=StringIO())
    owner = get_user_model().objects.get(username="owner")
    totp = enrol_device(owner)
    page = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-US").new_page()
    base = live_server.url

    page.goto(f"{base}/admin/")
    shot(page, "01-console-login")
    page.fill("#id_username", "owner")
    page.fill("#id_password", OWNER_PASSWORD)
    follow(page, "input[type=submit]")
    page.wait_for_url("**/security/2fa/verify/")
    shot(page, "02-second-factor")
    page.fill("#id_otp_token", totp.now())
    follow(page, "#verify-form input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.goto(f"{base}/admin/secure_shopadmin/securityoverview/")
    assert page.locator("#ssa-figures").is_visible()
    # seeded: the clerk has no authenticator, the members hold legacy hashes
    assert page.locator('tr[data-key="staff_without_2fa"] .ssa-value').inner_text().strip() == "1"
    assert "Salted MD5, osCommerce 2.2 / Magento 1 (md5_salted)" in page.locator(
        'tr[data-key="legacy_hashes"]').inner_text()
    # (its screenshot, in both languages, is the first-hour test's)

    clerk = get_user_model().objects.get(username="clerk")
    page.goto(f"{base}/admin/auth/user/{clerk.pk}/change/")
    assert page.locator(".ssa-panel").count() >= 1
    shot(page, "04-user-security-panels")

    page.goto(f"{base}/admin/secure_shopadmin/securityevent/")
    shot(page, "05-audit-trail")
    page.context.close()


def test_the_first_hour_pages_of_the_console_in_both_languages(live_server, browser):
    """The Security overview, the login records and a new staff member's enrolment page with its QR code."""
    call_command("seed_demo", members=20, stdout=StringIO())
    members_log_in_from_elsewhere()
    owner = get_user_model().objects.get(username="owner")
    enrol_device(owner)
    base = live_server.url
    for locale, suffix in LANGUAGES:
        page = page_logged_in(browser, live_server, owner, locale)
        page.goto(f"{base}/admin/secure_shopadmin/securityoverview/")
        assert page.locator('tr[data-key="unalerted_new_environments_7d"]').is_visible()
        shot(page, f"03-security-overview{suffix}")
        page.goto(f"{base}/admin/secure_shopadmin/loginrecord/")
        assert page.locator("#result_list tbody tr").count() == 3
        shot(page, f"11-login-records{suffix}")
        page.context.close()

        link = StringIO()
        call_command("twofactor_link", "clerk", stdout=link)
        page = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale).new_page()
        page.goto(link.getvalue().strip())
        follow(page, "#link-form input[type=submit]")
        page.wait_for_url("**/security/2fa/enrol/")
        assert page.locator("html").get_attribute("lang") == locale[:2]
        if suffix == "":
            assert scanned(page) == [expected_uri(page, "clerk")]
        shot(page, f"08-enrolment-qr{suffix}")
        page.context.close()


def test_member_tour_in_the_shops_look(live_server, browser):
    call_command("seed_demo", members=20, stdout=StringIO())
    base = live_server.url
    for locale, suffix in LANGUAGES:
        context = browser.new_context(viewport={"width": 1200, "height": 800}, locale=locale)
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", "member0001")
        page.fill("#id_password", MEMBER_PASSWORD)
        follow(page, "#login-form button[type=submit]")
        page.wait_for_url(f"{base}/account/")
        page.goto(f"{base}/security/account/logins/")
        assert page.locator("#header, #nav-sidebar").count() == 0  # the shop's look, not the admin's
        if suffix == "-ja":
            assert "ログイン履歴とセッション" in page.inner_text("h1")
            assert page.locator("html").get_attribute("lang") == "ja"
            assert "ログイン日時" in page.inner_text("#ssa-sessions thead")
        shot(page, f"07-member-login-history{suffix}")
        context.close()

    member = get_user_model().objects.get(username="member0001")
    enrol_device(member)
    for locale, suffix in LANGUAGES:
        page = page_logged_in(browser, live_server, member, locale, channel=Channel.STOREFRONT,
                              viewport=(1200, 800))
        page.goto(f"{base}/security/2fa/")
        assert page.locator("#header, #nav-sidebar").count() == 0
        shot(page, f"09-member-two-factor{suffix}")
        page.goto(f"{base}/security/2fa/add-app/")
        assert re.fullmatch(r"[A-Z2-7 ]+", page.inner_text("#totp-key"))
        shot(page, f"10-member-add-app{suffix}")
        page.context.close()
