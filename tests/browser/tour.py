"""The docs' tour: screenshots of the pages a shop owner and a member see, taken by browser tests.

A tour test (``@pytest.mark.tour``) always renders and checks its pages and takes its screenshots,
but writes them into ``docs/_static/tour/`` only when asked: ``make tour`` (``SSA_TOUR=1``). A
plain ``make test`` leaves the checkout as it was.
"""

import os
from pathlib import Path

from django.conf import settings
from django.test import Client

from secure_shopadmin.core.steps import Channel
from secure_shopadmin.testing import pipeline_login

TOUR = Path(__file__).resolve().parents[2] / "docs" / "_static" / "tour"
PNG = b"\x89PNG\r\n\x1a\n"
#: the tour's languages: (browser locale, file name suffix)
LANGUAGES = (("en-US", ""), ("ja-JP", "-ja"))


def writing():
    return os.environ.get("SSA_TOUR") == "1"


def shot(page, name):
    """Screenshot the page as ``name``.png; into the docs only under ``SSA_TOUR=1``."""
    image = page.screenshot(full_page=False)
    assert image.startswith(PNG)
    if writing():
        TOUR.mkdir(parents=True, exist_ok=True)
        (TOUR / f"{name}.png").write_bytes(image)


def files():
    """What the tour folder holds now: {name: (size, modification time)}."""
    return {path.name: (path.stat().st_size, path.stat().st_mtime_ns) for path in TOUR.glob("*")}


def page_logged_in(browser, live_server, user, locale="en-US", channel=Channel.CONSOLE,
                   viewport=(1280, 800)):
    """A new browser page holding a session the pipeline completed for ``user`` (no login pages)."""
    session_key = pipeline_login(Client(), user, channel=channel).session.session_key
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale=locale)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}])
    return context.new_page()
