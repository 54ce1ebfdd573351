"""The recovery codes page in Chromium: copy, download (.txt), print, and "continue" only once saved."""

import re
from pathlib import Path

import pytest

from ..conftest import enrol_device
from . import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRINT_SPY = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


@pytest.fixture
def codes_page(live_server, browser, staff_user):
    """A staff member's new recovery codes, asked for on the self-service page right after logging in."""
    totp = enrol_device(staff_user)
    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.add_init_script(PRINT_SPY)
    page = context.new_page()
    page.set_default_timeout(15000)
    actions.log_in(page, live_server.url + "/admin/")
    page.wait_for_url("**/security/2fa/verify/")
    page.fill("#id_otp_token", totp.now())
    actions.follow(page, "#verify-form input[type=submit]")
    page.goto(live_server.url + "/security/2fa/")
    actions.follow(page, "#regenerate-codes")
    yield page
    context.close()


def shown_codes(page):
    return [code.strip() for code in page.locator("#recovery-codes code").all_inner_texts()]


def test_download_gives_the_codes_as_shown(codes_page, staff_user):
    codes = shown_codes(codes_page)
    assert len(codes) == 10 and all(re.fullmatch(r"[\w-]{8,}", code) for code in codes)
    with codes_page.expect_download() as download_info:
        codes_page.click("#download-codes")
    download = download_info.value
    assert download.suggested_filename == "example-shop-recovery-codes.txt"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Recovery codes of clerk at Example Shop"
    assert [line for line in lines[1:] if line] == codes
    assert codes_page.inner_text("#recovery-status") == "Saved as a file in your downloads."


def test_copy_puts_the_codes_on_the_clipboard(codes_page):
    codes = shown_codes(codes_page)
    codes_page.click("#copy-codes")
    codes_page.wait_for_function("document.getElementById('recovery-status').textContent === 'Copied.'")
    assert codes_page.evaluate("navigator.clipboard.readText()").split() == codes


def test_print_prints_the_codes_alone(codes_page):
    codes_page.click("#print-codes")
    assert codes_page.evaluate("window.__printed") == 1
    codes_page.emulate_media(media="print")
    assert codes_page.locator("#recovery-codes").is_visible() and codes_page.locator("#recovery-heading").is_visible()
    for hidden in ("#copy-codes", "#continue", "#id_saved"):
        assert not codes_page.locator(hidden).is_visible()
    codes_page.emulate_media(media="screen")


def test_continue_only_once_the_box_is_ticked(codes_page, live_server):
    codes = shown_codes(codes_page)
    url = codes_page.url
    assert codes_page.is_disabled("#continue")
    # without the script (or with the page tampered with) the server still refuses: the codes stay
    codes_page.evaluate("document.getElementById('continue').disabled = false;"
                        "document.getElementById('id_saved').required = false;")
    with codes_page.expect_response(lambda response: "/recovery-codes/saved/" in response.url) as answer:
        codes_page.click("#continue")
    assert answer.value.status == 204
    assert codes_page.url == url and shown_codes(codes_page) == codes
    codes_page.check("#id_saved")
    assert codes_page.is_enabled("#continue")
    actions.follow(codes_page, "#continue")
    assert codes_page.url == live_server.url + "/security/2fa/"
