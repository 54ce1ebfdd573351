"""The example console's tour: the pages a shop owner sees, as screenshots for the docs.

The screenshots land in docs/_static/tour/ (the docs' "example project" page shows them).
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ..conftest import enrol_device
from .actions import follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOUR = Path(__file__).resolve().parents[2] / "docs" / "_static" / "tour"
OWNER_PASSWORD = "owner-demo-pass-2024"


def shot(page, name):
    TOUR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(TOUR / f"{name}.png"), full_page=False)


def test_owner_tour_of_the_security_console(live_server, browser):
    from django.contrib.auth import get_user_model

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
    shot(page, "03-security-overview")

    clerk = get_user_model().objects.get(username="clerk")
    page.goto(f"{base}/admin/auth/user/{clerk.pk}/change/")
    assert page.locator(".ssa-panel").count() >= 1
    shot(page, "04-user-security-panels")

    page.goto(f"{base}/admin/secure_shopadmin/securityevent/")
    shot(page, "05-audit-trail")


def test_member_tour_in_the_shops_look(live_server, browser):
    call_command("seed_demo", members=20, stdout=StringIO())
    base = live_server.url
    # (the Japanese page is checked, not photographed: CI's Chromium has no Japanese font)
    for language, name in (("en-US", "07-member-login-history"), ("ja-JP", None)):
        context = browser.new_context(viewport={"width": 1200, "height": 800}, locale=language)
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", "member0001")
        page.fill("#id_password", "member-demo-pass")
        follow(page, "#login-form button[type=submit]")
        page.wait_for_url(f"{base}/account/")
        page.goto(f"{base}/security/account/logins/")
        assert page.locator("#header, #nav-sidebar").count() == 0  # the shop's look, not the admin's
        if name:
            shot(page, name)
        else:
            assert "ログイン履歴とセッション" in page.inner_text("h1")
            assert page.locator("html").get_attribute("lang") == "ja"
        context.close()
