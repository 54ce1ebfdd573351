"""Signing in with a passkey alone, in Chromium with virtual authenticators (resident keys, UV on):
registration on the account's security page, the login with no username (the button and the
browser's offer in the username field), the reset step, the console under REQUIRE_PHISHING_RESISTANT,
an authenticator without user verification, and a member who removes the password."""

import hashlib

import pytest
from django.contrib.auth import get_user_model

from ..conftest import MEMBER_PASSWORD
from ..twofactor.softkey import SoftAuthenticator, b64url
from . import actions, passkeys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MANAGE = "/security/2fa/"


def password_login(page, base):
    actions.log_in(page, base + "/login/", "member0001", MEMBER_PASSWORD, button="#login-form button")


def register_sign_in_passkey(page, base, name="Phone"):
    page.goto(base + MANAGE)
    page.fill("#id_sign-in-passkey_name", name)
    page.wait_for_selector("#sign-in-passkey-button:not([disabled])")
    actions.follow(page, "#sign-in-passkey-button")
    if page.locator("#id_saved").count():  # the first device turned 2FA on: its recovery codes first
        page.check("#id_saved")
        actions.follow(page, "#continue")


def log_out(page):
    actions.follow(page, "header form button")


NO_CONDITIONAL_UI = "window.PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"


def without_conditional_ui(page):
    """Chromium's virtual authenticator takes the username field's offer at once: switch the offer
    off to test the button (as in a browser without conditional UI)."""
    page.add_init_script(NO_CONDITIONAL_UI)


def passkey_button_login(page, url):
    page.goto(url)
    page.wait_for_selector("#passkey-login-button:not([disabled])")
    actions.follow(page, "#passkey-login-button")


def signed_in_as(page, base, username):
    page.goto(base + "/account/")
    return page.url.endswith("/account/") and username in page.inner_text("main")


def planted_passkey(cdp, authenticator, user, base):
    """A sign-in passkey of ``user`` that the authenticator holds (registered outside the page)."""
    from secure_shopadmin.twofactor.passkeys.ceremonies import user_handle
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    key = SoftAuthenticator(base)
    PasskeyDevice.objects.create(user=user, name="Laptop", credential_id=b64url(key.credential_id),
                                 credential_digest=hashlib.sha256(key.credential_id).hexdigest(),
                                 public_key=key.cose_key(), transports=["internal"], sign_in=True)
    passkeys.add_passkey(cdp, authenticator, key, "localhost", user_handle(user))
    return key


def test_a_member_registers_a_sign_in_passkey_and_signs_in_with_no_username(live_server, page, member):
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    base = live_server.url
    cdp = passkeys.enable(page)
    authenticator = passkeys.add_passkey_authenticator(cdp)
    password_login(page, base)
    register_sign_in_passkey(page, base)
    device = PasskeyDevice.objects.get(user=member)
    assert device.sign_in and device.name == "Phone"
    assert passkeys.credentials(cdp, authenticator)[0]["isResidentCredential"]
    assert "signs in (no password)" in page.inner_text("#passkeys")
    log_out(page)

    without_conditional_ui(page)
    page.goto(base + "/login/")
    assert page.get_attribute("#id_username", "autocomplete") == "username webauthn"
    passkey_button_login(page, base + "/login/")
    assert signed_in_as(page, base, "member0001")
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_the_browser_offers_the_passkey_in_the_username_field(live_server, page, member):
    base = live_server.url
    cdp = passkeys.enable(page)
    authenticator = passkeys.add_passkey_authenticator(cdp)
    planted_passkey(cdp, authenticator, member, base)
    page.goto(base + "/login/")
    page.wait_for_url("**/account/")  # the offer in the username field was taken: no click, no username typed
    assert signed_in_as(page, base, "member0001")


def test_a_member_with_a_pending_forced_reset_lands_on_the_reset_step(live_server, page, member):
    from secure_shopadmin.resets import services as resets

    base = live_server.url
    cdp = passkeys.enable(page)
    planted_passkey(cdp, passkeys.add_passkey_authenticator(cdp), member, base)
    resets.require_reset([member], notify=False)  # compromised: the password is unusable now
    page.goto(base + "/login/")
    page.wait_for_url("**/security/reset/password/")
    assert page.locator("#set-password-form").is_visible() and page.locator("#remove-password").is_visible()
    page.goto(base + "/account/")
    assert page.url.endswith("/security/reset/password/")  # nothing else until the step is done


def test_staff_under_require_phishing_resistant_reach_the_admin_with_the_passkey_alone(
        live_server, page, staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": {"staff": True}}
    base = live_server.url
    cdp = passkeys.enable(page)
    planted_passkey(cdp, passkeys.add_passkey_authenticator(cdp), staff_user, base)
    without_conditional_ui(page)
    passkey_button_login(page, base + "/admin/login/")
    page.wait_for_url(base + "/admin/")
    assert page.locator("#site-name").is_visible() and page.locator("#logout-form").count() == 1


def test_an_authenticator_without_user_verification_is_refused(live_server, page, member):
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    base = live_server.url
    cdp = passkeys.enable(page)
    planted_passkey(cdp, passkeys.add_passkey_authenticator(cdp, user_verified=False), member, base)
    without_conditional_ui(page)
    page.goto(base + "/login/")
    page.wait_for_selector("#passkey-login-button:not([disabled])")
    page.click("#passkey-login-button")
    page.wait_for_selector("#passkey-login-status:not([hidden])")  # the browser refuses: UV is required
    assert page.url.endswith("/login/") and not signed_in_as(page, base, "member0001")
    assert PasskeyDevice.objects.get(user=member).last_used_at is None


def test_a_member_removes_the_password_and_signs_in_by_passkey_only(live_server, page, member):
    base = live_server.url
    cdp = passkeys.enable(page)
    planted_passkey(cdp, passkeys.add_passkey_authenticator(cdp), member, base)
    page.goto(base + "/login/")
    page.wait_for_url("**/account/")
    page.goto(base + MANAGE)
    page.wait_for_selector("#remove-password-passkey-button:not([disabled])")
    actions.follow(page, "#remove-password-passkey-button")
    assert page.locator("#no-password").is_visible()
    member.refresh_from_db()
    assert not member.has_usable_password()
    log_out(page)

    without_conditional_ui(page)
    password_login(page, base)  # the old password opens nothing
    assert page.url.endswith("/login/") and page.locator(".errornote").is_visible()
    passkey_button_login(page, base + "/login/")
    assert signed_in_as(page, base, "member0001")
    assert get_user_model().objects.get(pk=member.pk).has_usable_password() is False
