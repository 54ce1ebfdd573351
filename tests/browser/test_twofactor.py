"""The second factor as a new staff member meets it, in Chromium."""

import re

import pyotp
import pytest
from django.core import mail

from ..conftest import STAFF_PASSWORD, enrol_device
from . import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username="clerk", password=STAFF_PASSWORD, path="/admin/shop/product/"):
    actions.log_in(page, base + path, username, password)


def give_product_permission(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_product"))


def test_new_staff_member_enrols_through_the_mailed_link(live_server, page, staff_user):
    give_product_permission(staff_user)
    log_in(page, live_server.url)
    page.wait_for_url("**/security/2fa/mailed/")
    assert "We have sent a link" in page.content()
    assert page.locator("#totp-key").count() == 0  # the password alone shows no key
    link = re.search(r"http://\S+/security/2fa/link/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    actions.follow(page, "#link-form input[type=submit]")
    page.wait_for_url("**/security/2fa/enrol/")
    assert page.locator(".ssa-qr svg").count() == 1
    totp = pyotp.TOTP(page.inner_text("#totp-key").replace(" ", ""))
    page.fill("#id_otp_token", "000000" if totp.now() != "000000" else "111111")
    actions.follow(page, "#enrol-form input[type=submit]")
    assert "not valid" in page.content()
    page.fill("#id_otp_token", totp.now())
    actions.follow(page, "#enrol-form input[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    page.check("#id_saved")
    actions.follow(page, "#continue")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/shop/product/")
    assert page.locator("#changelist").is_visible()


def verify(page, code, remember=False):
    page.wait_for_url("**/security/2fa/verify/")
    page.fill("#id_otp_token", code)
    if remember:
        page.check("#id_remember")
    actions.follow(page, "#verify-form input[type=submit]")


def test_codes_replay_recovery_and_remembered_browser(live_server, browser, staff_user):
    from secure_shopadmin.twofactor import recovery

    give_product_permission(staff_user)
    totp = enrol_device(staff_user)
    codes = recovery.regenerate(staff_user)
    base = live_server.url
    context = browser.new_context()
    page = context.new_page()

    log_in(page, base)
    verify(page, "000000" if totp.now() != "000000" else "111111")
    assert "not valid" in page.content()
    code = totp.now()
    verify(page, code, remember=True)
    page.wait_for_url(base + "/admin/shop/product/")

    other = browser.new_context().new_page()  # another browser replays the same code
    log_in(other, base)
    verify(other, code)
    assert "not valid" in other.content()
    other.fill("#id_otp_token", codes[0])
    actions.follow(other, "#verify-form input[type=submit]")
    other.wait_for_url(base + "/admin/shop/product/")

    third = browser.new_context().new_page()  # the recovery code works once
    log_in(third, base)
    verify(third, codes[0])
    assert "not valid" in third.content()

    # the remembered browser skips the code
    context.clear_cookies(name="sessionid")
    log_in(page, base)
    page.wait_for_url(base + "/admin/shop/product/")

    # until the password changes
    staff_user.set_password("a changed password 2026")
    staff_user.save()
    context.clear_cookies(name="sessionid")
    log_in(page, base, password="a changed password 2026")
    page.wait_for_url("**/security/2fa/verify/")
    verify(page, codes[1])
    page.wait_for_url(base + "/admin/shop/product/")
    context.close()
