"""The enforcement middleware under ASGI: async-capable, the same decisions as under WSGI."""

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.contrib.auth import SESSION_KEY
from django.test import AsyncClient
from django.urls import reverse

from secure_shopadmin.middleware import SecureShopAdminMiddleware
from secure_shopadmin.testing import pipeline_login

from .conftest import STAFF_PASSWORD, enrol_device

pytestmark = pytest.mark.django_db


def test_the_middleware_is_sync_and_async_capable():
    async def async_view(request):
        return None

    assert SecureShopAdminMiddleware.sync_capable and SecureShopAdminMiddleware.async_capable
    assert iscoroutinefunction(SecureShopAdminMiddleware(async_view))
    assert not iscoroutinefunction(SecureShopAdminMiddleware(lambda request: None))


def get(client, path, **kwargs):
    return async_to_sync(client.get)(path, **kwargs)


def post(client, path, data):
    return async_to_sync(client.post)(path, data)


@pytest.fixture
def async_calls(monkeypatch):
    """How often the middleware ran its async path."""
    calls = []
    original = SecureShopAdminMiddleware.__acall__

    async def counted(self, request):
        calls.append(request.path)
        return await original(self, request)

    monkeypatch.setattr(SecureShopAdminMiddleware, "__acall__", counted)
    return calls


def test_a_partial_login_reaches_only_its_step_under_asgi(staff_user, async_calls):
    enrol_device(staff_user)
    client = AsyncClient()
    response = post(client, reverse("admin:login"), {"username": "clerk", "password": STAFF_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("secure_shopadmin:twofactor_verify")
    assert SESSION_KEY not in client.session
    for path in ("/admin/", "/admin/auth/user/", "/account/"):
        refused = get(client, path)
        assert refused.status_code == 302 and refused.url == reverse("secure_shopadmin:twofactor_verify"), path
    assert get(client, "/api/orders/").json() == {"code": "second_factor_required"}
    assert "/admin/auth/user/" in async_calls  # the async path ran, not an adapted sync one


def test_a_session_without_the_marker_is_logged_out_under_asgi(client, staff_user):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY

    async_client = AsyncClient()
    session = async_client.session
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(staff_user.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = staff_user.get_session_auth_hash()
    session.save()
    async_client.cookies["sessionid"] = session.session_key
    response = get(async_client, "/admin/")
    assert response.status_code == 302 and SESSION_KEY not in async_client.session


def test_an_async_view_sees_the_verification_from_the_session(client, staff_user, settings):
    settings.ROOT_URLCONF = "tests.urls_async"
    enrol_device(staff_user)
    pipeline_login(client, staff_user)  # a verified pipeline session
    async_client = AsyncClient()
    async_client.cookies["sessionid"] = client.cookies["sessionid"].value
    assert get(async_client, "/whoami/").json() == {"username": "clerk", "verified": True}
    assert get(async_client, "/admin/").status_code == 200
