"""Playwright driving Debian's Chromium (never a downloaded browser) against pytest-django's live_server."""

import os

import pytest

from .tour import files, writing

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def site_url_of_the_live_server(request, settings):
    """Mailed links are built from SITE_URL (never the Host header): point it at the live server."""
    if "live_server" in request.fixturenames:
        live_server = request.getfixturevalue("live_server")
        settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": live_server.url}


@pytest.fixture(autouse=True)
def tour_leaves_the_docs_alone():
    """Without SSA_TOUR=1 (a plain ``make test``) no browser test changes docs/_static/tour/."""
    if writing():
        yield
        return
    before = files()
    yield
    assert files() == before, "a browser test wrote into docs/_static/tour/ without SSA_TOUR=1"
