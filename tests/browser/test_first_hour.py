"""What a new shop meets in its first hour, in Chromium: member pages in the shop's look, a failing mail
server said as it is, a single-user reset that reads as one in English and Japanese."""

import pytest
from django.urls import reverse

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device
from ..resets.conftest import link_path, link_token, require
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SELF_SERVICE = ["secure_shopadmin:login_history", "secure_shopadmin:email_change",
                "secure_shopadmin:twofactor_manage"]
CONTRAST_JS = """el => {
  const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(c => c / 255)
      .map(c => c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
  const lum = s => { const [r, g, b] = rgb(s); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const style = getComputedStyle(el);
  const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_a_members_self_service_pages_show_no_admin_chrome(live_server, page, member):
    base = live_server.url
    totp = enrol_device(member)
    log_in(page, f"{base}/login/", member.username, MEMBER_PASSWORD, button="#login-form button[type=submit]")
    page.fill("input[name=otp_token]", totp.now())
    follow(page, "#verify-form input[type=submit]")
    page.wait_for_url(f"{base}/account/")
    for url_name in SELF_SERVICE:
        page.goto(base + reverse(url_name))
        assert page.locator("#header, #nav-sidebar, #user-tools, .breadcrumbs").count() == 0, url_name
        assert "permission to view or edit" not in page.content()
        assert page.locator("header a[href='/account/']").count() == 1  # the example shop's own header
        assert page.locator("h1").count() == 1 and page.locator("h1").is_visible()
    button = page.locator("#remove-authenticator")
    assert button.is_visible() and "Remove every device" in button.inner_text()
    assert button.evaluate(CONTRAST_JS) >= 4.5
    box = button.bounding_box()
    assert box["width"] > 150 and box["height"] > 20  # the label is drawn, not an icon


def test_a_failing_mail_server_makes_the_page_say_so(live_server, page, staff_user, settings):
    from tests.mailers import use_mail_backend

    use_mail_backend(settings, "tests.campaigns.failing_mail.EmailBackend")
    log_in(page, f"{live_server.url}/admin/login/", password=STAFF_PASSWORD)
    page.wait_for_url("**/security/2fa/mailed/")
    assert page.locator("#mail-failed").is_visible()
    assert "We could not send the mail; try again later or contact the shop." in page.inner_text("#mail-failed")
    assert "We have sent" not in page.content()


@pytest.mark.parametrize(("language", "mail_text", "page_text", "not_said"), [
    ("en", "someone else may know the password of your account",
     "Someone else may know the password of your account", "account data of our shop"),
    ("ja", "第三者が知っている可能性", "第三者が知っている可能性", "漏えい"),
])
def test_a_single_user_reset_reads_as_one(live_server, browser, member, settings, language, mail_text, page_text,
                                          not_said):
    from django.core import mail

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN,
                                 "USER_LANGUAGE": f"tests.browser.test_first_hour.speaks_{language}"}
    require(member)  # one member, the default category: a suspected compromise of this account
    message = mail.outbox[-1]
    for part in (message.body, message.alternatives[0][0], message.subject):
        assert not_said not in part
    assert mail_text in message.body
    context = browser.new_context(locale={"en": "en-US", "ja": "ja-JP"}[language])
    page = context.new_page()
    page.goto(live_server.url + link_path(link_token(message)))
    why = page.inner_text("#reset-why")
    assert page_text in why and not_said not in page.content()
    assert "You asked" not in page.content()
    assert page.locator("html").get_attribute("lang") == language
    context.close()


def speaks_en(user):
    return "en"


def speaks_ja(user):
    return "ja"
