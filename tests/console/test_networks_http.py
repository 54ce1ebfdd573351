"""Over real HTTP from two loopback addresses: with CONSOLE_ALLOWED_NETWORKS = ["127.0.0.1/32"], a console
login from 127.0.0.2 is refused without any hash, at the cost of a locked request, while a member logs in
from 127.0.0.2. The server is Django's live-server thread on 127.0.0.1; the client binds its source address."""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from secure_shopadmin.audit.models import EventKind, SecurityEvent

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_two_factor")]
ALLOWED, OUTSIDE = "127.0.0.1", "127.0.0.2"
SAMPLES = 15


@pytest.fixture
def server(settings):
    from pytest_django.live_server_helper import LiveServer

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["127.0.0.1/32"]}
    settings.ALLOWED_HOSTS = ["*"]
    live = LiveServer("127.0.0.1:0")  # a free port: another run may be testing on this machine
    yield live.thread.port
    live.stop()


class Browser:
    """A tiny HTTP client that keeps cookies and always connects from ``source``."""

    def __init__(self, source, port):
        self.source, self.port, self.cookies = source, port, SimpleCookie()

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, source_address=(self.source, 0), timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Referer": f"http://127.0.0.1:{self.port}{path}"})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or ():
            self.cookies.load(header)
        connection.close()
        return response.status, content, response

    def form_post(self, path, form):
        """GET the form for its CSRF token (kept for later posts), then POST ``form``."""
        status, content, _ = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        self.csrf = token.group(1) if token else ""
        return self.post(path, form)

    def post(self, path, form):
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": getattr(self, "csrf", "")})




def test_console_from_127_0_0_2_refused_without_a_hash_member_logs_in(server, staff_user, member, hasher_calls):
    outside = Browser(OUTSIDE, server)
    status, content, _ = outside.request("POST", "/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    assert status == 403 and "not reachable from this network" in content and "clerk" not in content
    assert hasher_calls == []
    assert SecurityEvent.objects.filter(kind=EventKind.NETWORK_REFUSED, ip=OUTSIDE).count() == 1

    # the member logs in on the storefront from the same address
    member_browser = Browser(OUTSIDE, server)
    status, _, response = member_browser.form_post("/login/", {"username": "member0001", "password": MEMBER_PASSWORD})
    assert status == 302 and response.headers["Location"].endswith("/account/")
    status, content, _ = member_browser.request("GET", "/account/")
    assert status == 200 and "member0001" in content
    assert hasher_calls  # the member's password was checked

    # staff from the allowed address log in
    inside = Browser(ALLOWED, server)
    status, _, response = inside.form_post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
    assert status == 302 and response.headers["Location"] == "/admin/"


def test_refused_by_network_computes_no_hash_like_a_locked_request(server, staff_user, hasher_calls, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["127.0.0.0/8"]}
    inside = Browser(ALLOWED, server)
    wrong = {"username": "clerk", "password": "wrong"}
    inside.form_post("/admin/login/", wrong)
    for _ in range(5):  # lock (clerk, 127.0.0.1)
        inside.post("/admin/login/", wrong)
    assert inside.post("/admin/login/", wrong)[0] == 429
    hashed_before = len(hasher_calls)
    for _ in range(SAMPLES):
        assert inside.post("/admin/login/", wrong)[0] == 429
    assert len(hasher_calls) == hashed_before  # a locked request computes no hash

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["127.0.0.1/32"]}
    outside = Browser(OUTSIDE, server)
    outside.csrf = inside.csrf
    status, content, _ = outside.post("/admin/login/", wrong)
    assert status == 403 and "not reachable from this network" in content
    for _ in range(SAMPLES):
        assert outside.post("/admin/login/", wrong)[0] == 403
    assert len(hasher_calls) == hashed_before  # refused by the network before any hash, as a locked request is
