"""The pipeline's order, its partial-login state and how a stage hands over."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secure_shopadmin import pipeline
from secure_shopadmin.core.steps import Step
from secure_shopadmin.resets import stage as resets_stage
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor import stage as twofactor_stage

from .conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db

FAKE_STEP = Step("fake", "/step/", ("steps:fake",))


@pytest.fixture
def fake_second_factor(settings, monkeypatch):
    """A second-factor stage that asks every login for the fake step until it is done."""
    settings.ROOT_URLCONF = "tests.urls_steps"
    seen = []

    def pending_step(request, user, partial):
        seen.append(("second_factor", list(partial.done)))
        return None if "fake" in partial.done else FAKE_STEP

    def pending_reset(request, user, partial):
        seen.append(("required_actions", list(partial.done)))
        return None

    monkeypatch.setattr(twofactor_stage, "pending_step", pending_step)
    monkeypatch.setattr(resets_stage, "pending_step", pending_reset)
    return seen


def start_login(client):
    return client.post(reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})


def test_password_then_pending_step_is_not_a_login(client, staff_user, fake_second_factor):
    response = start_login(client)
    assert response.status_code == 302 and response.url == "/step/"
    assert SESSION_KEY not in client.session
    partial = client.session[pipeline.PARTIAL_KEY]
    assert partial["step"] == "fake" and partial["done"] == ["password"]
    assert fake_second_factor == [("second_factor", ["password"])]


def test_step_done_runs_the_rest_in_order_and_logs_in(client, staff_user, fake_second_factor):
    start_login(client)
    response = client.post("/step/")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff_user.pk)
    assert pipeline.PARTIAL_KEY not in client.session
    assert client.session[pipeline.MARKER_KEY]["verified"] is True
    assert [stage for stage, _ in fake_second_factor] == ["second_factor", "second_factor", "required_actions"]


def test_login_page_sends_a_partial_login_back_to_its_step(client, staff_user, fake_second_factor):
    start_login(client)
    assert client.get(reverse("admin:login")).url == "/step/"


def test_partial_login_expires(client, staff_user, fake_second_factor, monkeypatch):
    start_login(client)
    later = time.time() + 301
    monkeypatch.setattr(pipeline.time, "time", lambda: later)
    response = client.post("/step/")
    assert SESSION_KEY not in client.session
    assert pipeline.PARTIAL_KEY not in client.session
    assert response.status_code == 302


def test_password_change_voids_partial_login(client, staff_user, fake_second_factor):
    start_login(client)
    staff_user.set_password("another password entirely")
    staff_user.save()
    client.post("/step/")
    assert SESSION_KEY not in client.session


def test_step_done_for_another_step_does_nothing(rf, client, staff_user, fake_second_factor):
    start_login(client)
    request = rf.post("/step/")
    request.session = client.session
    assert pipeline.step_done(request, "other").status == pipeline.Outcome.EXPIRED


def test_session_key_changes_at_password_and_at_login(client, staff_user, fake_second_factor):
    client.get(reverse("admin:login"))
    client.session.save()
    before = client.session.session_key
    start_login(client)
    after_password = client.session.session_key
    client.post("/step/")
    assert len({before, after_password, client.session.session_key}) == 3


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head", "options"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/auth/user/", "/account/", "/", "/security/nowhere/"])
def test_partial_login_reaches_only_its_step(client, staff_user, fake_second_factor, method, path):
    start_login(client)
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.url == "/step/"


def test_partial_login_may_reach_its_step_cancel_and_static(client, staff_user, fake_second_factor):
    start_login(client)
    assert client.get("/step/").content == b"step page"
    assert client.get("/static/admin/css/base.css").status_code != 302
    response = client.post(reverse("secure_shopadmin:cancel_login"))
    assert response.status_code == 302
    assert pipeline.PARTIAL_KEY not in client.session


def test_partial_login_under_api_prefix_gets_json(client, staff_user, fake_second_factor):
    start_login(client)
    response = client.post("/api/orders/")
    assert response.status_code == 403
    assert response.json() == {"code": "login_incomplete"}


def test_session_without_marker_is_logged_out(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(reverse("admin:index")).url.startswith(reverse("admin:login"))


def test_marker_answers_is_verified(rf, client, staff_user):
    from secure_shopadmin.middleware import SecureShopAdminMiddleware

    pipeline_login(client, staff_user, verified=True)
    seen = {}

    def view(request):
        seen["verified"] = request.user.is_verified()
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.get("/")
    request.session = client.session
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django_otp.middleware import OTPMiddleware

    handler = AuthenticationMiddleware(OTPMiddleware(SecureShopAdminMiddleware(view)))
    handler(request)
    assert seen["verified"] is True


def test_no_extra_query_on_a_verified_request(client, staff_user, settings):
    staff_user.is_superuser = True
    staff_user.save()
    pipeline_login(client, staff_user)
    url = reverse("admin:auth_user_changelist")
    with CaptureQueriesContext(connection) as with_app:
        assert client.get(url).status_code == 200
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("secure_shopadmin")]
    with CaptureQueriesContext(connection) as without_app:
        assert client.get(url).status_code == 200
    assert len(with_app) == len(without_app)
