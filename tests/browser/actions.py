"""What the browser tests do on a page, each step finished before the test reads the page.

Playwright's click returns once a navigation has started, not when the new document is parsed: reading the page
then can see an empty body. Every click that leads to another page goes through ``follow``.
"""

from ..conftest import STAFF_PASSWORD


def follow(page, selector):
    """Click what leads to another page (a submit button, a link) and wait until that page has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def log_in(page, url, username="clerk", password=STAFF_PASSWORD, button="input[type=submit]"):
    """Open the login form at ``url`` and submit it."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    follow(page, button)
