"""Django REST framework: the permission class refuses a user with a pending requirement (403 JSON)."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secure_shopadmin.resets import services
from secure_shopadmin.testing import pipeline_login

from ..conftest import MEMBER_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def api_urls(settings):
    settings.ROOT_URLCONF = "tests.resets.urls_api"


def basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_credentials_of_a_user_with_a_pending_change_are_refused(client, member):
    assert client.get("/api/me/", **basic(member.username, MEMBER_PASSWORD)).json() == {"username": "member0001"}
    services.require_reset([member.pk], mode="change", reason="x", notify=False)
    response = client.get("/api/me/", **basic(member.username, MEMBER_PASSWORD))
    assert response.status_code == 403 and response.json() == {"code": "password_reset_required"}


def test_pipeline_session_costs_no_extra_query(client, member, settings):
    pipeline_login(client, member, channel="storefront")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/me/").status_code == 200
    assert not any("resetrequirement" in q["sql"] for q in queries.captured_queries)


def test_checks_are_a_list_others_can_extend(client, member, monkeypatch):
    from secure_shopadmin import drf

    monkeypatch.setattr(drf, "USER_CHECKS", [*drf.USER_CHECKS, lambda request, user, session: "other_rule"])
    response = client.get("/api/me/", **basic(member.username, MEMBER_PASSWORD))
    assert response.status_code == 403 and response.json() == {"code": "other_rule"}


def test_token_classes_import_and_tokens_are_deleted_when_installed():
    from django.apps import apps

    from secure_shopadmin.drf import CheckedTokenAuthentication  # noqa: F401
    from secure_shopadmin.resets import bulk

    if not apps.is_installed("rest_framework.authtoken"):
        assert bulk.delete_api_tokens_of([1]) == 0
