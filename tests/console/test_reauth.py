"""A fresh second factor before sensitive actions: the code page, then the same action, once."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.console import reauth
from secure_shopadmin.resets.models import ResetRequirement
from secure_shopadmin.testing import pipeline_login

from ..conftest import STAFF_PASSWORD, enrol_device
from .conftest import reauth_blob

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGELIST = "/admin/auth/user/"


@pytest.fixture
def members(db):
    return User.objects.bulk_create([User(username=f"m{i:04d}", email=f"m{i:04d}@members.example", password="!")
                                     for i in range(3)])


def require_url(user):
    return reverse("admin:auth_user_password_reset_require", args=[user.pk])


def test_a_fresh_code_lets_the_action_run_at_once(owner_client, member):
    response = owner_client.post(require_url(member), {"mode": "change", "reason": "precaution"})
    assert response.status_code == 302
    assert ResetRequirement.objects.filter(user=member).count() == 1


def test_stale_code_asks_for_a_code_then_does_the_action_once(owner_client, owner_totp, member, stale):
    response = owner_client.post(require_url(member), {"mode": "change", "reason": "precaution"})
    blob = reauth_blob(response)
    assert ResetRequirement.objects.count() == 0
    assert "precaution" not in response.content.decode()  # the carried data is encrypted
    done = owner_client.post(require_url(member), {reauth.FIELD: blob, "otp_token": owner_totp.now()})
    assert done.status_code == 302
    requirement = ResetRequirement.objects.get(user=member)
    assert (requirement.mode, requirement.reason) == ("change", "precaution")
    again = owner_client.post(require_url(member), {reauth.FIELD: blob, "otp_token": owner_totp.now()})
    assert again.status_code == 302 and ResetRequirement.objects.count() == 1  # nothing done twice
    event = SecurityEvent.objects.get(kind=EventKind.REAUTH)
    assert event.details["outcome"] == "ok" and event.details["method"] == "totp"
    assert owner_totp.now() not in str(event.details)


def test_wrong_codes_spend_the_guards_code_budget(owner_client, member, stale, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_OTP_LIMIT": 3}
    blob = reauth_blob(owner_client.post(require_url(member), {"mode": "change", "reason": "x"}))
    statuses = [owner_client.post(require_url(member), {reauth.FIELD: blob, "otp_token": "000000"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert ResetRequirement.objects.count() == 0
    outcomes = list(SecurityEvent.objects.filter(kind=EventKind.REAUTH).values_list("details__outcome", flat=True))
    assert sorted(outcomes) == ["failed", "failed", "refused", "refused"]


def test_bulk_action_asks_then_shows_its_confirmation_with_the_original_selection(
        owner_client, owner_totp, members, stale):
    chosen = [str(members[0].pk), str(members[2].pk)]
    blob = reauth_blob(owner_client.post(CHANGELIST, {
        "action": "require_password_reset", ACTION_CHECKBOX_NAME: chosen, "index": "0"}))
    confirm = owner_client.post(CHANGELIST, {reauth.FIELD: blob, "otp_token": owner_totp.now()})
    assert confirm.status_code == 200 and "require-reset-form" in confirm.content.decode()
    assert confirm.context["selected_ids"] == chosen
    done = owner_client.post(CHANGELIST, {"action": "require_password_reset", ACTION_CHECKBOX_NAME: chosen,
                                          "confirm": "yes", "mode": "change", "reason": "bulk"})
    assert done.status_code == 302
    assert set(ResetRequirement.objects.values_list("user__username", flat=True)) == {"m0000", "m0002"}


def test_a_user_without_an_authenticator_confirms_with_the_password(superuser, member, stale):
    from django.test import Client

    client = pipeline_login(Client(), superuser, verified=False)
    blob = reauth_blob(client.post(require_url(member), {"mode": "change", "reason": "x"}))
    assert client.post(require_url(member), {reauth.FIELD: blob, "password": "nope"}).status_code == 200
    assert ResetRequirement.objects.count() == 0
    assert client.post(require_url(member), {reauth.FIELD: blob, "password": STAFF_PASSWORD}).status_code == 302
    assert ResetRequirement.objects.count() == 1


def test_a_tampered_or_foreign_blob_is_refused(owner_client, owner_totp, member, staff_user, stale):
    blob = reauth_blob(owner_client.post(require_url(member), {"mode": "change", "reason": "x"}))
    assert owner_client.post(require_url(member), {reauth.FIELD: blob[:-4] + "AAAA",
                                                   "otp_token": owner_totp.now()}).status_code == 400
    assert owner_client.post(require_url(staff_user), {reauth.FIELD: blob,
                                                       "otp_token": owner_totp.now()}).status_code == 400
    assert ResetRequirement.objects.count() == 0


def test_api_request_gets_json(owner_client, stale):
    from django.test import RequestFactory

    from secure_shopadmin.pipeline import MARKER_KEY

    request = RequestFactory().post("/api/orders/")
    request.session = owner_client.session
    request.user = User.objects.get(username="owner")
    assert request.session[MARKER_KEY]["code_at"] > 0
    response = reauth.demand(request)
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert b"reauth_required" in response.content


def _privileged_posts(superuser, member, members):
    from secure_shopadmin.campaigns import services as campaigns
    from secure_shopadmin.lockout.models import Counter

    campaign = campaigns.create("c", reason="r", actor=superuser)
    closing = campaigns.create("d", reason="r", actor=superuser)
    counter = Counter.objects.create(rule="pair", username="m0000", ip="10.0.0.1", failures=9)
    enrol_device(member)
    group = Group.objects.create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="change_user"))
    user_change = reverse("admin:auth_user_change", args=[member.pk])
    change_data = {"username": member.username, "email": member.email, "is_active": "on",
                   "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"}
    return [
        (reverse("admin:auth_user_password_reset_cancel", args=[member.pk]), {"reason": "r"}),
        (f"/admin/secure_shopadmin/campaign/{campaign.pk}/apply/", {"confirm": "yes"}),
        (f"/admin/secure_shopadmin/campaign/{closing.pk}/close/", {"confirm": "yes"}),
        ("/admin/secure_shopadmin/counter/", {"action": "unlock", ACTION_CHECKBOX_NAME: [counter.pk], "index": 0}),
        (reverse("admin:auth_user_two_factor_reset", args=[member.pk]), {"reason": "r"}),
        (reverse("admin:auth_user_end_sessions", args=[member.pk]), {"reason": "r"}),
        (user_change, {**change_data, "is_staff": "on"}),
        (user_change, {**change_data, "is_superuser": "on"}),
        (user_change, {**change_data, "groups": [group.pk]}),
        (user_change, {**change_data, "user_permissions": [Permission.objects.first().pk]}),
        (reverse("admin:auth_user_delete", args=[member.pk]), {"post": "yes"}),
        (CHANGELIST, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [members[0].pk], "post": "yes"}),
        ("/admin/secure_shopadmin/resetrequirement/", {"action": "cancel_requirements",
                                                      ACTION_CHECKBOX_NAME: [1], "index": 0}),
    ]


def test_every_sensitive_admin_action_asks_for_a_fresh_code(owner_client, superuser, member, members, stale):
    posts = _privileged_posts(superuser, member, members)
    before = (User.objects.count(), ResetRequirement.objects.count())
    for url, data in posts:
        reauth_blob(owner_client.post(url, data))
    member.refresh_from_db()
    assert not member.is_staff and not member.is_superuser and not member.groups.exists()
    assert (User.objects.count(), ResetRequirement.objects.count()) == before
    assert not SecurityEvent.objects.filter(kind__in=[EventKind.UNLOCK, EventKind.DEVICE_RESET,
                                                      EventKind.SESSIONS_ENDED]).exists()


def test_an_ordinary_user_change_needs_no_code(owner_client, member, stale):
    response = owner_client.post(reverse("admin:auth_user_change", args=[member.pk]), {
        "username": member.username, "email": member.email, "first_name": "Hanako", "is_active": "on",
        "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.first_name == "Hanako"


def test_self_service_forget_browser_asks(owner_client, superuser, stale):
    from django.utils import timezone

    from secure_shopadmin.twofactor.models import RememberedBrowser

    row = RememberedBrowser.objects.create(user=superuser, token_digest="x", auth_fingerprint="y",
                                           expires_at=timezone.now())
    url = reverse("secure_shopadmin:twofactor_forget_browser", args=[row.pk])
    reauth_blob(owner_client.post(url))
    assert RememberedBrowser.objects.filter(pk=row.pk).exists()


def test_a_host_admin_protects_its_own_actions_with_the_mixin(owner_client, owner_totp, stale):
    from shop.models import Product

    products = [Product.objects.create(sku=f"P{i}", name="Tea", price=500) for i in range(3)]
    url = "/admin/shop/product/"
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [products[0].pk, products[1].pk], "post": "yes"}
    blob = reauth_blob(owner_client.post(url, data))
    assert Product.objects.count() == 3
    assert owner_client.post(url, {reauth.FIELD: blob, "otp_token": owner_totp.now()}).status_code == 302
    assert list(Product.objects.values_list("sku", flat=True)) == ["P2"]
    delete = reverse("admin:shop_product_delete", args=[products[2].pk])
    assert owner_client.post(delete, {"post": "yes"}).status_code == 302  # the code is fresh now
    assert not Product.objects.exists()


def test_the_decorator_protects_a_plain_view(rf, owner_client, stale):
    from django.http import HttpResponse

    from secure_shopadmin.console.decorators import fresh_code_required

    calls = []

    @fresh_code_required
    def view(request):
        calls.append(request.POST.get("x"))
        return HttpResponse("done")

    request = rf.post("/somewhere/", {"x": "1"})
    request.session, request.user = owner_client.session, User.objects.get(username="owner")
    assert b'id="reauth-form"' in view(request).render().content and calls == []
    request = rf.get("/somewhere/")
    request.session, request.user = owner_client.session, User.objects.get(username="owner")
    assert view(request).content == b"done" and calls == [None]
