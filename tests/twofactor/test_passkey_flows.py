"""Passkeys in the pipeline: enrolment through the mailed link, the verify step (the guard's code
budget counts refused answers), REQUIRE_PHISHING_RESISTANT, the self-service page and the overview."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin import overview, pipeline
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.twofactor import services
from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

from ..conftest import enrol_device
from .helpers import link_from_outbox, password_login
from .softkey import SoftAuthenticator

pytestmark = pytest.mark.django_db
SITE = "https://shop.example"
VERIFY = reverse("secure_shopadmin:twofactor_verify")
ENROL = reverse("secure_shopadmin:twofactor_enrol")
MANAGE = reverse("secure_shopadmin:twofactor_manage")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": SITE}


def phishing_resistant(settings, **policy):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": policy or {"staff": True}}


def enrol_passkey(client, key, name="Desk key"):
    """From the password to the enrolment page through the mailed link, then register ``key``."""
    password_login(client)
    client.post(link_from_outbox())
    page = client.get(ENROL)
    return page, client.post(ENROL, {"passkey_answer": key.create(page.context["passkey_options"]),
                                     "passkey_name": name})


def passkey_login(client, key, **answer):
    """Password, then the verify page's passkey; ``answer``: how ``key`` answers (a counter, an origin)."""
    assert password_login(client).url == VERIFY
    page = client.get(VERIFY)
    return client.post(VERIFY, {"passkey_answer": key.get(page.context["passkey_options"], **answer)})


def with_passkey(client, user, key):
    """Give ``user`` the passkey ``key`` (registered through the ceremony, outside any page)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from secure_shopadmin.twofactor.passkeys import ceremonies

    request = RequestFactory().post("/")
    request.session = SessionStore()
    return ceremonies.register(request, user, key.create(ceremonies.registration_options(request, user)))


def test_staff_enrols_a_passkey_through_the_mailed_link(client, staff_user, django_capture_on_commit_callbacks):
    key = SoftAuthenticator(SITE, counter=1)
    password_login(client)
    assert client.get(ENROL).status_code == 302  # the password alone opens no enrolment
    with django_capture_on_commit_callbacks(execute=True):
        page, done = enrol_passkey(client, key)
    html = page.content.decode()
    assert 'id="ssa-passkey-options"' in html and "passkeys.js" in html and 'id="totp-key"' in html
    assert "<script>" not in html.replace('<script id="ssa-passkey-options" type="application/json">', "")
    assert len(done.context["codes"]) == 10
    assert client.session[SESSION_KEY] == str(staff_user.pk) and client.session[pipeline.MARKER_KEY]["verified"]
    assert PasskeyDevice.objects.get(user=staff_user).name == "Desk key"
    assert {EventKind.ENROLMENT, EventKind.PASSKEY_ADDED} <= set(SecurityEvent.objects.values_list("kind", flat=True))
    assert "“Desk key”" in mail.outbox[-1].body and "authenticator was added" in mail.outbox[-1].subject


def test_a_refused_registration_enrols_nothing(client, staff_user):
    _, done = enrol_passkey(client, SoftAuthenticator("https://shop.example.login-check.net"))
    assert "not accepted" in done.content.decode()
    assert not PasskeyDevice.objects.exists() and SESSION_KEY not in client.session


def test_the_verify_step_takes_the_passkey_and_logs_in_verified(client, staff_user):
    key = SoftAuthenticator(SITE, counter=1)
    with_passkey(client, staff_user, key)
    response = passkey_login(client, key)
    assert response.url == reverse("admin:index")
    assert client.session[pipeline.MARKER_KEY]["verified"] is True
    assert client.get(reverse("admin:index")).status_code == 200
    assert PasskeyDevice.objects.get().sign_count == 2


def test_totp_and_recovery_codes_stay_fallbacks(client, staff_user):
    totp = enrol_device(staff_user)
    with_passkey(client, staff_user, SoftAuthenticator(SITE))
    password_login(client)
    page = client.get(VERIFY).content.decode()
    assert 'data-passkey-ceremony="get"' in page and 'id="verify-form"' in page
    assert client.post(VERIFY, {"otp_token": totp.now()}).url == reverse("admin:index")


def test_foreign_and_wrong_answers_spend_the_guards_code_budget(staff_user, settings):
    key = SoftAuthenticator(SITE, counter=1)
    with_passkey(Client(), staff_user, key)
    stranger = SoftAuthenticator(SITE, counter=1)
    for attempt in range(4):  # LOCKOUT_OTP_LIMIT is 5 per (account, client IP)
        response = passkey_login(Client(), stranger if attempt % 2 else key.clone(), counter=0)
        assert response.status_code == 200 and "not accepted" in response.content.decode()
    assert passkey_login(Client(), key, origin="https://shop.example.login-check.net").status_code == 429
    locked = passkey_login(Client(), key)
    assert locked.status_code == 429 and "Too many wrong codes" in locked.content.decode()
    assert SecurityEvent.objects.filter(kind=EventKind.PASSKEY_CLONE_DETECTED).count() == 2
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKOUT, target=staff_user).exists()


def test_under_the_policy_a_totp_code_does_not_pass(client, staff_user, settings):
    phishing_resistant(settings)
    totp = enrol_device(staff_user)
    key = SoftAuthenticator(SITE, counter=1)
    with_passkey(client, staff_user, key)
    password_login(client)
    page = client.get(VERIFY).content.decode()
    assert 'id="verify-form"' not in page and 'id="passkey-required"' in page
    for _ in range(7):  # refused unchecked: no code budget spent, the real user is not locked out
        refused = client.post(VERIFY, {"otp_token": totp.now()})
        assert refused.status_code == 200 and "a code is not enough" in refused.content.decode()
    assert SESSION_KEY not in client.session
    page = client.get(VERIFY)
    assert client.post(VERIFY, {"passkey_answer": key.get(page.context["passkey_options"])}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_under_the_policy_totp_alone_means_enrolling_a_passkey_through_the_link(client, staff_user, settings):
    phishing_resistant(settings)
    enrol_device(staff_user)
    assert password_login(client).url == reverse("secure_shopadmin:twofactor_mailed")
    page, done = enrol_passkey(Client(), SoftAuthenticator(SITE))
    assert 'id="totp-key"' not in page.content.decode()  # no authenticator app offered to them
    assert done.status_code == 200 and PasskeyDevice.objects.filter(user=staff_user).exists()


def test_under_the_policy_no_remembered_browser_skips_the_passkey(client, staff_user, settings):
    totp = enrol_device(staff_user)
    with_passkey(client, staff_user, SoftAuthenticator(SITE))
    password_login(client)
    client.post(VERIFY, {"otp_token": totp.now(), "remember": "on"})
    client.logout()
    phishing_resistant(settings)
    assert password_login(client).url == VERIFY
    assert "Remember this browser" not in client.get(VERIFY).content.decode()


def verified_client(user, key):
    client = Client()
    passkey_login(client, key)
    return client


def later():
    """Past REAUTH_MAX_AGE (300 s) after the login: the self-service page asks for a fresh factor."""
    import time

    import time_machine

    return time_machine.travel(time.time() + 301)


def test_self_service_adds_renames_and_removes_passkeys(staff_user, django_capture_on_commit_callbacks):
    key = SoftAuthenticator(SITE, counter=1)
    first = with_passkey(Client(), staff_user, key)
    client = verified_client(staff_user, key)
    other = verified_client(staff_user, key)
    page = client.get(MANAGE)  # the login's passkey is fresh: changes need nothing more
    assert 'data-passkey-ceremony="create"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(MANAGE, {"action": "add_passkey", "passkey_name": "Spare key",
                             "passkey_answer": SoftAuthenticator(SITE).create(page.context["passkey_options"])})
    assert list(PasskeyDevice.objects.order_by("pk").values_list("name", flat=True)) == ["Security key", "Spare key"]
    assert "“Spare key”" in mail.outbox[-1].body
    client.post(MANAGE, {"action": "rename_passkey", "device": first.pk, "name": "Keyring"})
    assert PasskeyDevice.objects.get(pk=first.pk).name == "Keyring"
    with later():
        asked = client.post(MANAGE, {"action": "remove_device", "kind": "passkey", "device": first.pk})
        assert 'id="reauth-passkey-form"' in asked.content.decode()
        assert PasskeyDevice.objects.filter(pk=first.pk).exists()
        with django_capture_on_commit_callbacks(execute=True):
            removed = client.post(MANAGE, {"_ssa_reauth": asked.context["blob"],
                                           "passkey_answer": key.get(asked.context["passkey_options"])})
    assert removed.url == reverse("admin:login")
    assert list(PasskeyDevice.objects.values_list("name", flat=True)) == ["Spare key"]
    assert not UserSession.objects.filter(user=staff_user).exists()
    assert other.get(reverse("admin:index")).status_code == 302  # every session ended
    assert "“Keyring” was removed" in mail.outbox[-1].body
    assert SecurityEvent.objects.get(kind=EventKind.PASSKEY_REMOVED).details == {"passkey": "Keyring"}
    assert SecurityEvent.objects.get(kind=EventKind.REAUTH).details["method"] == "passkey"


def test_a_stale_removal_needs_the_users_own_passkey(staff_user):
    key = SoftAuthenticator(SITE, counter=1)
    device = with_passkey(Client(), staff_user, key)
    client = verified_client(staff_user, key)
    with later():
        asked = client.post(MANAGE, {"action": "remove_device", "kind": "passkey", "device": device.pk})
        wrong = client.post(MANAGE, {"_ssa_reauth": asked.context["blob"], "passkey_answer": SoftAuthenticator(
            SITE).get(asked.context["passkey_options"])})
    assert "not accepted" in wrong.content.decode()
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()


def test_under_the_policy_reauthentication_takes_no_code(staff_user, settings):
    phishing_resistant(settings)
    totp = enrol_device(staff_user)
    key = SoftAuthenticator(SITE, counter=1)
    device = with_passkey(Client(), staff_user, key)
    client = verified_client(staff_user, key)
    with later():
        asked = client.post(MANAGE, {"action": "remove_device", "kind": "passkey", "device": device.pk})
        assert 'id="reauth-form"' not in asked.content.decode() and 'id="passkey-required"' in asked.content.decode()
        refused = client.post(MANAGE, {"_ssa_reauth": asked.context["blob"], "otp_token": totp.now()})
    assert "a code is not enough" in refused.content.decode()
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()


def test_a_second_authenticator_app_beside_the_first(staff_user):
    import pyotp

    totp = enrol_device(staff_user)
    client = Client()
    password_login(client)
    client.post(VERIFY, {"otp_token": totp.now()})
    page = client.get(reverse("secure_shopadmin:twofactor_add_app"))
    new = pyotp.TOTP(page.context["key"].replace(" ", ""))
    assert client.post(reverse("secure_shopadmin:twofactor_add_app"), {"otp_token": new.now()}).url == MANAGE
    assert [d.name for d in services.confirmed_devices(staff_user)] == ["Phone", "Authenticator 2"]


def test_the_owners_reset_removes_passkeys_too(staff_user, superuser):
    from secure_shopadmin.testing import pipeline_login

    with_passkey(Client(), staff_user, SoftAuthenticator(SITE))
    owner = pipeline_login(Client(), superuser)
    url = reverse("admin:auth_user_two_factor_reset", args=[staff_user.pk])
    assert "passkeys" in owner.get(url).content.decode()
    owner.post(url, {"reason": "lost key"})
    assert not PasskeyDevice.objects.filter(user=staff_user).exists()
    assert SecurityEvent.objects.get(kind=EventKind.DEVICE_RESET).details == {"passkeys": 1}


def test_the_overview_counts_staff_without_a_phishing_resistant_factor(staff_user, superuser, settings):
    enrol_device(staff_user)
    with_passkey(Client(), superuser, SoftAuthenticator(SITE))
    figures = {f.key: f.number for f in overview.collect()}
    assert (figures["staff_without_phishing_resistant"], figures["phishing_resistant_missing"]) == (1, 0)
    assert figures["two_factor_users"] == 2
    phishing_resistant(settings)
    figures = overview.collect()
    assert {f.key: f.number for f in figures}["phishing_resistant_missing"] == 1
    assert [f.key for f, _ in overview.failed_thresholds(figures)] == ["phishing_resistant_missing"]
