"""The console as a shop owner reads it at 1280 px: the header's language label is legible on every
page, add and change forms included, and the login-record list fits its pane."""

import pytest

from secure_shopadmin.alerts.models import AlertDecision, LoginOutcome, LoginRecord

from .tour import page_logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")


def luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    """WCAG 2 contrast ratio of two colours."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


COLOURS = """element => {
  const rgb = value => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  let behind = element;
  while (behind && getComputedStyle(behind).backgroundColor.match(/[\\d.]+/g).length === 4
         && getComputedStyle(behind).backgroundColor.match(/[\\d.]+/g)[3] === "0") {
    behind = behind.parentElement;
  }
  return [rgb(getComputedStyle(element).color), rgb(getComputedStyle(behind).backgroundColor)];
}"""


@pytest.mark.parametrize("path", ["/admin/", "/admin/shop/product/add/", "/admin/auth/user/{pk}/change/"])
def test_the_headers_language_label_is_legible(live_server, browser, superuser, path):
    page = page_logged_in(browser, live_server, superuser)
    page.goto(live_server.url + path.format(pk=superuser.pk))
    label = page.locator("#header #language-switch label")
    assert label.is_visible()
    text, background = label.evaluate(COLOURS)
    assert contrast(text, background) >= 4.5, (text, background)
    page.context.close()


def test_the_login_record_list_fits_its_pane_at_1280_px(live_server, browser, superuser, member):
    for n in range(5):
        LoginRecord.objects.create(
            user=member, channel="storefront", outcome=LoginOutcome.SUCCESS, ip=f"2001:db8:85a3::8a2e:370:{n}",
            ip_prefix="2001:db8:85a3::/64", user_agent=CHROME, browser="Chrome Mobile WebView",
            browser_version="120", os="Windows", new_environment=True, alert=AlertDecision.RATE_LIMITED)
    page = page_logged_in(browser, live_server, superuser)
    page.goto(f"{live_server.url}/admin/secure_shopadmin/loginrecord/")
    assert page.locator("#result_list tbody tr").count() == 5
    table, container = page.locator("#result_list").evaluate(
        "table => [table.getBoundingClientRect().width, table.parentElement.getBoundingClientRect().width]")
    assert page.locator("#result_list").evaluate("table => table.parentElement.matches('#changelist .results')")
    assert table <= container, (table, container)
    page.context.close()
