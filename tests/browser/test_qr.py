"""The authenticator app's QR code as a phone's camera meets it: a screenshot of the rendered element,
decoded by zxing, gives the exact ``otpauth://`` URI carrying the key printed beside it."""

import io
import re
from urllib.parse import quote, quote_plus

import pytest
import zxingcpp
from django.core import mail
from PIL import Image

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD
from . import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scanned(page):
    """What a scanner reads in the page's QR code, as the browser drew it (every code found)."""
    picture = Image.open(io.BytesIO(page.locator(".ssa-qr").screenshot()))
    return [found.text for found in zxingcpp.read_barcodes(picture)]


def expected_uri(page, username):
    """The provisioning URI the page must encode, from the key and issuer it prints."""
    key = page.inner_text("#totp-key").replace(" ", "")
    issuer = re.search(r"Issuer: (.+)", page.inner_text("#enrol-app")).group(1).strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", key), key
    return (f"otpauth://totp/{quote(issuer + ':' + username)}?secret={key}&issuer={quote_plus(issuer)}"
            "&digits=6&period=30&algorithm=SHA1")


def test_the_enrolment_pages_qr_code_scans_to_its_key(live_server, page, staff_user):
    actions.log_in(page, live_server.url + "/admin/", "clerk", STAFF_PASSWORD)
    page.wait_for_url("**/security/2fa/mailed/")
    page.goto(re.search(r"http://\S+/security/2fa/link/\S+/", mail.outbox[-1].body).group(0))
    actions.follow(page, "#link-form input[type=submit]")
    page.wait_for_url("**/security/2fa/enrol/")
    assert scanned(page) == [expected_uri(page, "clerk")]


def test_a_members_added_app_qr_code_scans_to_its_key(live_server, page, member):
    actions.log_in(page, live_server.url + "/login/", "member0001", MEMBER_PASSWORD,
                   button="#login-form button[type=submit]")
    page.wait_for_url(live_server.url + "/account/")
    page.goto(live_server.url + "/security/2fa/add-app/")
    assert page.locator("#header, #nav-sidebar").count() == 0  # the storefront's look
    assert scanned(page) == [expected_uri(page, "member0001")]
