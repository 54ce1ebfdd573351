"""Console sessions end on their own: idle and absolute timeouts, decided from the session, on a frozen clock."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin import pipeline
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.testing import pipeline_login

from ..conftest import STAFF_PASSWORD, enrol_device

pytestmark = pytest.mark.django_db
START = 1_900_000_000  # a fixed instant


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def console_client(user):
    return pipeline_login(Client(), user)


def later(clock, seconds):
    clock.move_to(START + seconds)


def session_writes(queries):
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_idle_console_session_goes_to_the_login_with_a_reason_and_next(clock, staff_user):
    client = console_client(staff_user)
    later(clock, 3601)
    response = client.get("/admin/shop/order/?o=1")
    assert response.status_code == 302
    assert response.url == reverse("admin:login") + "?next=%2Fadmin%2Fshop%2Forder%2F%3Fo%3D1"
    assert SESSION_KEY not in client.session
    page = client.get(response.url).content.decode()
    assert "signed out after 1 hour without activity" in page
    assert 'name="next" value="/admin/shop/order/?o=1"' in page
    event = SecurityEvent.objects.get(kind=EventKind.SESSION_TIMEOUT)
    assert (event.reason, event.target_username, event.details["channel"]) == ("idle", "clerk", "console")


def test_activity_inside_the_window_keeps_the_session(clock, staff_user):
    client = console_client(staff_user)
    for minute in (50, 100, 150, 200):  # a request every 50 minutes: never an hour idle
        later(clock, minute * 60)
        assert client.get(reverse("admin:index")).status_code == 200
    assert SESSION_KEY in client.session


def test_absolute_lifetime_ends_even_a_busy_session(clock, staff_user):
    client = console_client(staff_user)
    for step in range(1, 25):  # every 30 minutes for 12 hours
        later(clock, step * 1800)
        assert client.get(reverse("admin:index")).status_code == 200
    later(clock, 43201)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert "signed out 12 hours after you logged in" in client.get(response.url).content.decode()
    assert SecurityEvent.objects.get(kind=EventKind.SESSION_TIMEOUT).reason == "max_age"


def test_activity_is_written_at_most_once_a_minute(clock, staff_user):
    client = console_client(staff_user)
    for second in (10, 30, 59):
        later(clock, second)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("admin:index"))
        assert session_writes(queries) == []
    later(clock, 61)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:index"))
    assert len(session_writes(queries)) == 1
    assert client.session[pipeline.MARKER_KEY]["seen"] == START + 61


def test_a_short_idle_timeout_records_every_quarter(settings, clock, staff_user):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_IDLE_TIMEOUT": 120}
    client = console_client(staff_user)
    later(clock, 31)
    client.get(reverse("admin:index"))
    assert client.session[pipeline.MARKER_KEY]["seen"] == START + 31
    later(clock, 31 + 121)
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_verified_request_costs_no_query_for_the_timeouts(settings, clock, staff_user):
    client = console_client(staff_user)
    later(clock, 5)
    with CaptureQueriesContext(connection) as with_timeouts:
        assert client.get(reverse("admin:index")).status_code == 200
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_IDLE_TIMEOUT": None, "CONSOLE_MAX_AGE": None}
    with CaptureQueriesContext(connection) as without:
        assert client.get(reverse("admin:index")).status_code == 200
    assert len(with_timeouts) == len(without)


def test_member_storefront_session_is_untouched_by_console_timeouts(clock, member):
    client = pipeline_login(Client(), member, verified=False, channel=pipeline.Channel.STOREFRONT)
    later(clock, 3 * 86400)  # far past both console limits
    assert client.get(reverse("shop:account")).status_code == 200
    assert SESSION_KEY in client.session
    assert not SecurityEvent.objects.filter(kind=EventKind.SESSION_TIMEOUT).exists()


def test_storefront_timeouts_when_set(settings, clock, member):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "STOREFRONT_IDLE_TIMEOUT": 600}
    client = pipeline_login(Client(), member, verified=False, channel=pipeline.Channel.STOREFRONT)
    later(clock, 500)
    assert client.get(reverse("shop:account")).status_code == 200
    later(clock, 500 + 601)
    response = client.get(reverse("shop:account"))
    assert response.status_code == 302 and SESSION_KEY not in client.session
    assert response.url == reverse("shop:account")  # asked for again, now without a login
    again = client.get(response.url)
    assert again.status_code == 302 and again.url.startswith(reverse("shop:login"))
    assert SecurityEvent.objects.get(kind=EventKind.SESSION_TIMEOUT).details["channel"] == "storefront"


def test_api_request_of_a_timed_out_session_gets_json(clock, staff_user):
    client = console_client(staff_user)
    later(clock, 4000)
    response = client.get("/api/orders/")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_a_remembered_browser_skips_only_the_code_after_a_timeout(clock, staff_user):
    from secure_shopadmin.conf import app_settings
    from secure_shopadmin.core import tokens
    from secure_shopadmin.twofactor import browsers
    from secure_shopadmin.twofactor.models import RememberedBrowser

    enrol_device(staff_user)
    token, digest = tokens.new_token(browsers.PURPOSE)
    RememberedBrowser.objects.create(user=staff_user, token_digest=digest, auth_fingerprint=browsers.fingerprint(
        staff_user), expires_at=timezone.now() + timedelta(days=7))
    client = console_client(staff_user)
    client.cookies[app_settings.REMEMBER_BROWSER_COOKIE] = token
    later(clock, 3601)
    login = client.get(reverse("admin:index"))
    assert login.status_code == 302 and SESSION_KEY not in client.session
    assert client.post(reverse("admin:login"), {"username": "clerk", "password": "wrong"}).status_code == 200
    assert SESSION_KEY not in client.session  # the password is still asked for
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("admin:index")
    marker = client.session[pipeline.MARKER_KEY]
    assert marker["verified"] and marker["code_at"] == 0  # no code was given: sensitive actions ask for one
    assert marker["at"] == int(time.time())


def campaign_progress_url(superuser):
    from secure_shopadmin.campaigns import services as campaigns

    campaign = campaigns.create("c", reason="r", actor=superuser)
    return reverse("admin:secure_shopadmin_campaign_progress_json", args=[campaign.pk])


def test_polling_the_campaign_progress_does_not_keep_an_idle_console_open(clock, superuser):
    enrol_device(superuser)
    client = console_client(superuser)
    url = campaign_progress_url(superuser)
    for second in (600, 1800, 3540):  # the page polls; nobody is there
        later(clock, second)
        assert client.get(url).status_code == 200
    later(clock, 3601)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert SecurityEvent.objects.get(kind=EventKind.SESSION_TIMEOUT).reason == "idle"


def test_a_poll_after_the_idle_timeout_ends_the_session_too(clock, superuser):
    client = console_client(superuser)
    url = campaign_progress_url(superuser)
    later(clock, 3601)
    assert client.get(url).status_code == 302
    assert SESSION_KEY not in client.session


def test_a_host_names_its_own_polling_urls(clock, staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "PASSIVE_URL_NAMES": ["admin:index"]}
    client = console_client(staff_user)
    for second in (1800, 3540):
        later(clock, second)
        assert client.get(reverse("admin:index")).status_code == 200
    later(clock, 3601)
    assert client.get(reverse("admin:index")).status_code == 302
