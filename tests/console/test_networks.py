"""CONSOLE_ALLOWED_NETWORKS: the console answers only the listed networks; members log in from anywhere."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from secure_shopadmin import overview
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.console.models import ConsolePass
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
INSIDE, OUTSIDE = "10.1.2.3", "198.51.100.7"
REFUSED_TEXT = "not reachable from this network"


@pytest.fixture(autouse=True)
def office_only(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["10.0.0.0/8"]}


def login(client, username, password, url=None, ip=OUTSIDE):
    return client.post(url or reverse("admin:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_console_login_from_outside_is_refused_before_any_hash(client, staff_user, hasher_calls):
    page = client.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE)
    assert page.status_code == 403 and REFUSED_TEXT in page.content.decode()
    response = login(client, "clerk", STAFF_PASSWORD)
    assert response.status_code == 403
    content = response.content.decode()
    assert REFUSED_TEXT in content and "clerk" not in content and 'name="password"' not in content
    assert hasher_calls == []
    assert "_auth_user_id" not in client.session
    events = SecurityEvent.objects.filter(kind=EventKind.NETWORK_REFUSED)
    assert events.count() == 2 and {e.ip for e in events} == {OUTSIDE}
    assert all(e.target_username == "" for e in events)


def test_console_login_from_inside_works(client, staff_user, hasher_calls):
    assert login(client, "clerk", STAFF_PASSWORD, ip=INSIDE).status_code == 302
    assert hasher_calls and client.get(reverse("admin:index"), REMOTE_ADDR=INSIDE).status_code == 200


def test_a_console_session_is_refused_when_it_moves_outside(staff_user):
    client = pipeline_login(Client(), staff_user)
    assert client.get(reverse("admin:index"), REMOTE_ADDR=INSIDE).status_code == 200
    assert client.get(reverse("admin:index"), REMOTE_ADDR=OUTSIDE).status_code == 403
    assert client.get("/admin/shop/order/", REMOTE_ADDR=OUTSIDE).status_code == 403


def test_members_log_in_on_the_storefront_from_anywhere(client, member, hasher_calls):
    response = login(client, "member0001", MEMBER_PASSWORD, url=reverse("shop:login"))
    assert response.status_code == 302
    assert client.get(reverse("shop:account"), REMOTE_ADDR=OUTSIDE).status_code == 200
    assert hasher_calls
    assert not SecurityEvent.objects.filter(kind=EventKind.NETWORK_REFUSED).exists()


def test_the_client_ip_is_the_guards_behind_trusted_proxies(client, settings, staff_user):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_TRUSTED_PROXIES": ["192.0.2.10"]}
    inside = client.get(reverse("admin:login"), REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=INSIDE)
    outside = client.get(reverse("admin:login"), REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=OUTSIDE)
    spoofed = client.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR=INSIDE)
    assert (inside.status_code, outside.status_code, spoofed.status_code) == (200, 403, 403)


def test_refusals_are_counted_on_the_overview(client):
    for _ in range(3):
        client.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE)
    figures = {figure.key: figure.value for figure in overview.collect()}
    assert figures["console_network_refused_7d"] == 3


def test_break_glass_link_lets_one_browser_in_from_anywhere(settings, staff_user, hasher_calls):
    out = StringIO()
    call_command("console_pass", "--reason", "travelling owner", "--by", "ops", stdout=out)
    url = out.getvalue().strip()
    assert re.fullmatch(r"http://localhost:8000/security/console/pass/[\w-]+/", url)
    path = url.replace("http://localhost:8000", "")
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in ConsolePass.objects.get().token_digest
    [notice] = mail.outbox
    assert notice.to == ["security@shop.example"] and "ops" in notice.body and "travelling owner" in notice.body
    assert token not in notice.body

    browser = Client()
    assert browser.get(path, REMOTE_ADDR=OUTSIDE).status_code == 200  # GET does not spend it
    spent = browser.post(path, REMOTE_ADDR=OUTSIDE)
    assert spent.status_code == 302 and spent.url == reverse("admin:login")
    assert browser.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE).status_code == 200
    assert login(browser, "clerk", STAFF_PASSWORD).status_code == 302  # the password still applies
    assert browser.get(reverse("admin:index"), REMOTE_ADDR=OUTSIDE).status_code == 200

    other = Client()
    assert other.post(path, REMOTE_ADDR=OUTSIDE).status_code == 410  # single use
    assert other.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE).status_code == 403
    steps = list(SecurityEvent.objects.filter(kind=EventKind.CONSOLE_PASS).values_list("details__step", flat=True))
    assert sorted(steps) == ["issued", "used"]


def test_break_glass_command_needs_a_reason_and_a_site_url(settings):
    with pytest.raises(CommandError):
        call_command("console_pass", "--reason", "  ", stdout=StringIO())
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": ""}
    with pytest.raises(CommandError):
        call_command("console_pass", "--reason", "x", stdout=StringIO())


def test_a_forged_pass_cookie_does_not_pass(client):
    client.cookies["ssa_console_pass"] = "forged:value"
    assert client.get(reverse("admin:login"), REMOTE_ADDR=OUTSIDE).status_code == 403


def test_bad_network_setting_is_a_system_check_error(settings):
    from secure_shopadmin.console.checks import check_console_settings

    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["10.0.0.0/33"]}
    assert [p.id for p in check_console_settings()] == ["secure_shopadmin.E170"]
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": [],
                                 "CONSOLE_IDLE_TIMEOUT": 0}
    assert [p.id for p in check_console_settings()] == ["secure_shopadmin.E171"]
