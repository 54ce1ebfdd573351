"""Property-based fuzzing (Hypothesis) of every form and JSON endpoint of the app, anonymous,
half-logged-in (password right, code pending), logged in as staff and as a member: no answer is a
5xx, and a refused request changes no security state (users, devices, codes, links, resets,
tokens) and gains no login.

Bounded: ``SSA_FUZZ_EXAMPLES`` examples per endpoint and state (default 12), so the suite runs in
CI on SQLite and PostgreSQL in a few minutes; CI (``CI=true``) runs a fixed sequence of examples.
"""

import os

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from hypothesis import HealthCheck, given, settings

from secure_shopadmin import pipeline
from secure_shopadmin.core.models import ApiToken
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.resets.models import ResetRequirement
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor import models as twofactor
from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

from ..conftest import STAFF_PASSWORD
from .endpoints import ENDPOINTS, requests

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("SSA_FUZZ_EXAMPLES", "12"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
CASES = [pytest.param(endpoint, state, id=f"{endpoint.name}-{state}")
         for endpoint in ENDPOINTS for state in ("anonymous", "half", "logged_in", "stale", "member")
         if state in endpoint.states or (state == "member" and "logged_in" in endpoint.states
                                         and not endpoint.name.startswith("admin_"))]


def security_state():
    """Everything a refused request must leave as it was (the guard's counters are not in it)."""
    from rest_framework.authtoken.models import Token

    return {
        "users": sorted(get_user_model().objects.values_list("pk", "password", "email", "is_active", "is_staff")),
        "devices": sorted(twofactor.AuthenticatorDevice.objects.filter(confirmed=True).values_list(
            "pk", "user_id", "key_encrypted")),  # a page showing a new app's QR code makes a pending one
        "passkeys": sorted(PasskeyDevice.objects.values_list("pk", "user_id", "name")),
        "recovery": sorted(twofactor.RecoveryCode.objects.values_list("pk", "used_at")),
        "links": sorted(twofactor.EnrolmentLink.objects.values_list("pk", "used_at")),
        "resets": sorted(ResetRequirement.objects.values_list("pk", "user_id", "satisfied_at", "cancelled_at",
                                                              "link_used_at")),
        "browsers": twofactor.RememberedBrowser.objects.count(),
        "tokens": (Token.objects.count(), ApiToken.objects.count()),
        "groups": sorted(Group.objects.values_list("pk", "name")),
        "group_permissions": sorted(Group.permissions.through.objects.values_list("group_id", "permission_id")),
    }


def client_in(state, users):
    client = Client()
    if state == "half":
        response = client.post("/admin/login/", {"username": "clerk", "password": STAFF_PASSWORD})
        assert response.status_code == 302 and pipeline.PARTIAL_KEY in client.session
    elif state == "logged_in":
        pipeline_login(client, users["superuser"] if users["admin"] else users["staff"])
    elif state == "stale":  # logged in, but the last code is too old: sensitive POSTs ask for a fresh one
        pipeline_login(client, users["superuser"] if users["admin"] else users["staff"], verified=False)
    elif state == "member":
        pipeline_login(client, users["member"], channel="storefront")
    return client


def send(client, method, url, body, content_type, headers):
    if method == "GET":
        return client.get(url, body, **headers)
    if content_type == "form":
        return client.post(url, body, **headers)
    return client.post(url, body, content_type=content_type, **headers)


def logged_in_user(client):
    session = client.session
    if pipeline.MARKER_KEY not in session:
        return None
    return session.get(SESSION_KEY)


@pytest.mark.parametrize(("endpoint", "state"), CASES)
def test_no_input_gives_a_5xx_or_changes_state_when_refused(endpoint, state, staff_user, staff_totp, member,
                                                            superuser, mailoutbox):
    users = {"staff": staff_user, "member": member, "superuser": superuser,
             "admin": endpoint.name.startswith("admin_") or endpoint.as_superuser}
    editors = Group.objects.create(name="Editors")  # the Group admin's change and delete pages act on it
    editors.permissions.add(Permission.objects.get(codename="change_product"))
    editors.user_set.add(staff_user)
    known_ids = {str(pk) for pk in get_user_model().objects.values_list("pk", flat=True)}

    @FUZZ
    @given(request=requests(endpoint))
    def fuzz(request):
        method, url, body, content_type, headers = request
        url = url.replace("{group}", str(editors.pk))
        if endpoint.name.startswith("admin_") and url.split("/")[4] in known_ids:
            return  # a real user's tool with a valid form would act: not a refusal
        Counter.objects.all().delete()  # each example starts with clean counters
        client = client_in(state, users)
        before_user, before = logged_in_user(client), security_state()
        response = send(client, method, url, body, content_type, headers)
        assert response.status_code < 500, (response.status_code, url, body)
        if state in endpoint.acts_for:
            return
        assert security_state() == before, (url, body)
        assert logged_in_user(client) in (None, before_user), (url, body)

    fuzz()
