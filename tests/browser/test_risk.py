"""A risky member login in Chromium: from a "foreign" address (the test's GeoIP databases, sent
through the trusted proxy's X-Forwarded-For), the member meets the code page; the code from the
mail opens the account; the mail and the history page show the city and the network owner, in
English and Japanese."""

import re

import pytest
from django.core import mail

from ..conftest import MEMBER_PASSWORD
from ..risk import geodb
from .actions import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CODE_RE = re.compile(r"\b([2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5})\b")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
EXPECTED = {
    "en": {"locale": "en-US", "city": "Frankfurt am Main, Germany", "home": "Osaka, Japan"},
    "ja": {"locale": "ja-JP", "city": "フランクフルト, ドイツ", "home": "大阪市, 日本"},
}


@pytest.fixture
def geo(settings, tmp_path):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "GEOIP_DATABASES": geodb.build(tmp_path),
                                 "LOCKOUT_TRUSTED_PROXIES": ["127.0.0.1"],
                                 "TWO_FACTOR_POLICY": {"staff": False, "superusers": False, "members": False}}


def login_from(browser, base, member, language, ip, user_agent=None):
    options = {"locale": EXPECTED[language]["locale"], "extra_http_headers": {"X-Forwarded-For": ip}}
    context = browser.new_context(**options, **({"user_agent": user_agent} if user_agent else {}))
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, f"{base}/login/", member.username, MEMBER_PASSWORD, button="#login-form button[type=submit]")
    return page


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_foreign_login_meets_the_code_page_and_the_mailed_code_opens_it(live_server, browser, member, geo,
                                                                         language):
    base = live_server.url
    home = login_from(browser, base, member, language, "203.0.113.10")  # Osaka: learned silently
    home.wait_for_url(f"{base}/account/")
    assert not mail.outbox

    intruder = login_from(browser, base, member, language, "198.51.100.5", FIREFOX)  # Frankfurt, new browser
    assert intruder.url == f"{base}/security/login/code/"
    intruder.locator("#risk-code-form").wait_for()
    intruder.goto(f"{base}/account/")
    assert "/account/" not in intruder.url  # no session before the code
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    assert EXPECTED[language]["city"] in message.body and "Foreign Hosting (AS64510)" in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    assert EXPECTED[language]["city"] in html
    code = CODE_RE.search(message.body).group(1)

    intruder.goto(f"{base}/security/login/code/")
    intruder.fill("#id_code", code)
    follow(intruder, "#risk-code-form input[type=submit]")
    assert intruder.url == f"{base}/account/"

    intruder.goto(f"{base}/security/account/logins/")
    places = intruder.locator("#ssa-logins .ssa-place").all_inner_texts()
    assert f"{EXPECTED[language]['city']} · Foreign Hosting (AS64510)" in places
    assert f"{EXPECTED[language]['home']} · Example Net (AS64500)" in places
    intruder.context.close()
    home.context.close()
