"""Passkeys in Chromium with virtual authenticators (the DevTools protocol's WebAuthn domain): the
browser's own navigator.credentials, driven by the app's passkeys.js, against the live server."""

import base64
import re

import pytest
from cryptography.hazmat.primitives import serialization
from django.core import mail

from ..conftest import STAFF_PASSWORD, enrol_device
from ..twofactor.softkey import SoftAuthenticator, b64url
from . import actions, passkeys
from .tour import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def give_product_permission(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_product"))


def log_in(page, base, path="/admin/shop/product/"):
    actions.log_in(page, base + path, "clerk", STAFF_PASSWORD)


def use_passkey(page):
    """Click the page's passkey button; the script submits the form once the authenticator answered."""
    page.wait_for_selector("#passkey-button:not([disabled])")
    with page.expect_navigation(wait_until="load"):
        page.click("#passkey-button")


def log_out(page):
    actions.follow(page, "#logout-form button")


def register_through_the_mailed_link(page, base):
    log_in(page, base)
    page.wait_for_url("**/security/2fa/mailed/")
    link = re.search(r"http://\S+/security/2fa/link/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    actions.follow(page, "#link-form input[type=submit]")
    page.wait_for_url("**/security/2fa/enrol/")
    assert page.locator("#enrol-passkey").is_visible() and page.locator("#enrol-app").is_visible()
    page.fill("#id_passkey_name", "Virtual key")
    use_passkey(page)
    assert page.locator("#recovery-codes li").count() == 10


@pytest.mark.tour
def test_staff_registers_a_passkey_then_signs_in_with_it(live_server, page, staff_user):
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    give_product_permission(staff_user)
    cdp = passkeys.enable(page)
    authenticator = passkeys.add_authenticator(cdp)
    register_through_the_mailed_link(page, live_server.url)
    device = PasskeyDevice.objects.get(user=staff_user)
    assert device.name == "Virtual key" and device.transports == ["usb"]
    assert len(passkeys.credentials(cdp, authenticator)) == 1
    page.check("#id_saved")
    actions.follow(page, "#continue")
    page.wait_for_url(live_server.url + "/admin/")
    log_out(page)

    log_in(page, live_server.url)
    page.wait_for_url("**/security/2fa/verify/")
    assert page.locator("#verify-form").is_visible()  # TOTP and recovery codes stay as fallbacks
    page.set_viewport_size({"width": 1200, "height": 800})
    page.wait_for_selector("#passkey-button:not([disabled])")
    shot(page, "06-passkey-sign-in")  # for the docs' tour
    use_passkey(page)
    page.wait_for_url(live_server.url + "/admin/shop/product/")
    assert page.locator("#changelist").is_visible()
    device.refresh_from_db()
    assert device.last_used_at is not None and device.sign_count >= 2


def test_a_second_authenticators_credential_is_refused(live_server, page, staff_user):
    from secure_shopadmin.audit.models import EventKind, SecurityEvent
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    cdp = passkeys.enable(page)
    first = passkeys.add_authenticator(cdp)
    register_through_the_mailed_link(page, live_server.url)
    page.check("#id_saved")
    actions.follow(page, "#continue")
    log_out(page)
    registered = PasskeyDevice.objects.get(user=staff_user)
    logins = SecurityEvent.objects.filter(kind=EventKind.CONSOLE_LOGIN).count()
    passkeys.remove_authenticator(cdp, first)

    second = passkeys.add_authenticator(cdp)  # holds no credential of the shop's
    log_in(page, live_server.url)
    page.wait_for_url("**/security/2fa/verify/")
    page.wait_for_selector("#passkey-button:not([disabled])")
    page.click("#passkey-button")
    page.wait_for_selector("#passkey-status:not([hidden])")
    assert "did not answer" in page.inner_text("#passkey-status")
    assert page.url.endswith("/security/2fa/verify/")

    # the second key claims the registered credential's id, but signs with its own private key
    impostor = SoftAuthenticator(live_server.url)
    pkcs8 = impostor.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    cdp.send("WebAuthn.addCredential", {"authenticatorId": second, "credential": {
        "credentialId": base64.b64encode(base64.urlsafe_b64decode(registered.credential_id + "==")).decode(),
        "isResidentCredential": False, "rpId": "localhost", "privateKey": base64.b64encode(pkcs8).decode(),
        "signCount": 100,
    }})
    page.reload()
    use_passkey(page)
    assert "not accepted" in page.inner_text(".errornote")
    assert page.url.endswith("/security/2fa/verify/")
    assert SecurityEvent.objects.filter(kind=EventKind.CONSOLE_LOGIN).count() == logins  # no login
    assert PasskeyDevice.objects.get(pk=registered.pk).sign_count == registered.sign_count  # nothing claimed


def test_under_the_policy_a_totp_code_alone_does_not_open_the_admin(live_server, page, staff_user, settings):
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": {"staff": True}}
    give_product_permission(staff_user)
    totp = enrol_device(staff_user)
    key = SoftAuthenticator(live_server.url)  # the key lives in the virtual authenticator, its public half here
    PasskeyDevice.objects.create(user=staff_user, name="Key", credential_id=b64url(key.credential_id),
                                 credential_digest=__import__("hashlib").sha256(key.credential_id).hexdigest(),
                                 public_key=key.cose_key(), transports=["usb"])
    cdp = passkeys.enable(page)
    authenticator = passkeys.add_authenticator(cdp)
    pkcs8 = key.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator, "credential": {
        "credentialId": base64.b64encode(key.credential_id).decode(), "isResidentCredential": False,
        "rpId": "localhost", "privateKey": base64.b64encode(pkcs8).decode(), "signCount": 0,
    }})

    log_in(page, live_server.url)
    page.wait_for_url("**/security/2fa/verify/")
    assert page.locator("#verify-form").count() == 0 and page.locator("#passkey-required").is_visible()
    # a code posted anyway (as a relaying phishing page would) is refused unchecked
    with page.expect_navigation(wait_until="load"):
        page.evaluate("""code => {
            const form = document.getElementById("passkey-form");
            form.elements.passkey_answer.remove();
            const field = document.createElement("input");
            field.name = "otp_token"; field.value = code; form.appendChild(field);
            form.submit();
        }""", totp.now())
    assert "a code is not enough" in page.content()
    page.goto(live_server.url + "/admin/shop/product/")
    assert page.locator("#changelist").count() == 0 and page.url.endswith("/security/2fa/verify/")

    use_passkey(page)  # the passkey does
    page.wait_for_url(live_server.url + "/admin/shop/product/")
    assert page.locator("#changelist").is_visible()


def test_a_passkey_added_on_the_self_service_page(live_server, page, staff_user):
    from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

    totp = enrol_device(staff_user)
    cdp = passkeys.enable(page)
    passkeys.add_authenticator(cdp)
    log_in(page, live_server.url, path="/admin/login/?next=/security/2fa/")
    page.wait_for_url("**/security/2fa/verify/")
    page.fill("#id_otp_token", totp.now())
    actions.follow(page, "#verify-form input[type=submit]")
    page.wait_for_url("**/security/2fa/")
    page.fill("#id_passkey_name", "Laptop key")
    use_passkey(page)
    assert page.locator("#passkeys input[name=name]").input_value() == "Laptop key"
    assert PasskeyDevice.objects.get(user=staff_user).name == "Laptop key"
