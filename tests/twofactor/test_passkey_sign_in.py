"""Signing in with a passkey alone (no username, no password), against a software authenticator:
registration as a sign-in passkey, each refusal (budgeted by the guard, one answer for all), the
pipeline after it (required actions, REQUIRE_PHISHING_RESISTANT, the console), password removal
and what a breach campaign makes of an account without a password."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.partial import MARKER_KEY
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor.passkeys import ceremonies, signin
from secure_shopadmin.twofactor.passkeys.ceremonies import PasskeyRefused

from ..conftest import MEMBER_PASSWORD
from .softkey import SoftAuthenticator

pytestmark = pytest.mark.django_db
SITE = "https://shop.example"
LOGIN = reverse("shop:login")
CONSOLE_LOGIN = reverse("admin:login")
MANAGE = reverse("secure_shopadmin:twofactor_manage")
REFUSAL = "That passkey was not accepted."


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": SITE}


def bare_request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


def sign_in_key(user, *, sign_in=True, counter=1):
    """A resident key registered for ``user`` (``sign_in``: as a sign-in passkey, else as a second factor)."""
    key = SoftAuthenticator(SITE, counter=counter, resident=True)
    request = bare_request()
    options = ceremonies.registration_options(request, user, sign_in=sign_in)
    ceremonies.register(request, user, key.create(options), sign_in=sign_in)
    return key


def passkey_post(client, key, url=LOGIN, **answer):
    """The login page's options, answered by ``key`` (``answer``: how), posted like passkeys.js does."""
    options = client.get(url).context["passkey_sign_in_options"]
    return client.post(url, {"passkey_answer": key.get(options, **answer)})


def logged_in(client):
    return SESSION_KEY in client.session


def counted(username):
    """The guard's failures for the account (any IP) and for the test client's IP."""
    account = Counter.objects.filter(rule="account", username=username).values_list("failures", flat=True)
    ip = Counter.objects.filter(rule="ip").values_list("failures", flat=True)
    return (account.first() or 0), (ip.first() or 0)


# --- registration ------------------------------------------------------------------------------

def test_sign_in_registration_requires_a_discoverable_credential_and_user_verification(member):
    request = bare_request()
    options = ceremonies.registration_options(request, member, sign_in=True)
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["requireResidentKey"] is True
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["extensions"] == {"credProps": True}
    device = ceremonies.register(request, member, SoftAuthenticator(SITE, resident=True).create(options, rk=True),
                                 sign_in=True)
    assert device.sign_in
    assert SecurityEvent.objects.get(kind=EventKind.PASSKEY_ADDED).details["sign_in"] is True


def test_sign_in_registration_refuses_no_user_verification_and_a_non_discoverable_credential(member):
    request = bare_request()
    options = ceremonies.registration_options(request, member, sign_in=True)
    with pytest.raises(PasskeyRefused) as caught:
        ceremonies.register(request, member, SoftAuthenticator(SITE, user_verified=False).create(options),
                            sign_in=True)
    assert caught.value.reason == "registration_invalid"
    options = ceremonies.registration_options(request, member, sign_in=True)
    with pytest.raises(PasskeyRefused) as caught:
        ceremonies.register(request, member, SoftAuthenticator(SITE).create(options, rk=False), sign_in=True)
    assert caught.value.reason == "not_discoverable"
    assert not member.passkeydevice_set.exists()


def test_a_second_factor_key_is_upgraded_by_registering_again(member):
    sign_in_key(member, sign_in=False)
    request = bare_request()
    options = ceremonies.registration_options(request, member, sign_in=True)
    assert options["excludeCredentials"] == []  # the second-factor key may be registered again
    ceremonies.register(request, member, SoftAuthenticator(SITE, resident=True).create(options), sign_in=True)
    assert sorted(member.passkeydevice_set.values_list("sign_in", flat=True)) == [False, True]
    assert len(ceremonies.registration_options(request, member, sign_in=True)["excludeCredentials"]) == 1


# --- signing in --------------------------------------------------------------------------------

def test_a_member_signs_in_with_no_username(client, member):
    key = sign_in_key(member)
    page = client.get(LOGIN)
    options = page.context["passkey_sign_in_options"]
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    assert 'autocomplete="username webauthn"' in page.content.decode()
    response = client.post(LOGIN, {"passkey_answer": key.get(options)})
    assert response.status_code == 302 and logged_in(client)
    marker = client.session[MARKER_KEY]
    assert marker["verified"] and marker["channel"] == "storefront"
    device = member.passkeydevice_set.get()
    assert device.last_used_at is not None and device.sign_count == key.counter


def refusals(member):
    """(name, prepare) pairs; prepare(client) returns the POST's response."""

    def no_uv(client):
        key = sign_in_key(member)
        key.user_verified = False
        return passkey_post(client, key)

    def second_factor_only(client):
        return passkey_post(client, sign_in_key(member, sign_in=False))

    def other_rp_id(client):
        return passkey_post(client, sign_in_key(member), rp_id="evil.example")

    def other_origin(client):
        return passkey_post(client, sign_in_key(member), origin="https://shop.example.evil.example")

    def reused_challenge(client):
        key = sign_in_key(member)
        options = client.get(LOGIN).context["passkey_sign_in_options"]
        client.post(LOGIN, {"passkey_answer": key.get(options)})
        client.logout()
        return client.post(LOGIN, {"passkey_answer": key.get(options)})

    def foreign_challenge(client):
        other = Client()
        options = other.get(LOGIN).context["passkey_sign_in_options"]
        client.get(LOGIN)
        return client.post(LOGIN, {"passkey_answer": sign_in_key(member).get(options)})

    def replayed_counter(client):
        key = sign_in_key(member, counter=7)
        return passkey_post(client, key, counter=7)

    def clone(client):
        key = sign_in_key(member, counter=7)
        twin = key.clone()
        assert passkey_post(client, key).status_code == 302
        client.logout()
        return passkey_post(client, twin)

    def disabled_user(client):
        key = sign_in_key(member)
        get_user_model().objects.filter(pk=member.pk).update(is_active=False)
        return passkey_post(client, key)

    def unknown_credential(client):
        sign_in_key(member)
        return passkey_post(client, SoftAuthenticator(SITE, resident=True))

    return [no_uv, second_factor_only, other_rp_id, other_origin, reused_challenge, foreign_challenge,
            replayed_counter, clone, disabled_user, unknown_credential]


@pytest.mark.parametrize("index", range(10), ids=[f.__name__ for f in refusals(None)])
def test_each_refusal_is_one_answer_and_costs_a_slot(client, member, index):
    prepare = refusals(member)[index]
    response = prepare(client)
    assert response.status_code == 200 and not logged_in(client)
    assert REFUSAL in response.content.decode()
    account, ip = counted("member0001")
    assert ip == 1  # per client IP, whatever the credential; a sign-in before it gave its slot back
    assert account == (0 if prepare.__name__ == "unknown_credential" else 1)  # a known credential's account pays
    if prepare.__name__ == "clone":
        assert SecurityEvent.objects.filter(kind=EventKind.PASSKEY_CLONE_DETECTED).count() == 1


def test_an_unknown_credential_costs_a_slot_of_its_own_and_as_much_work(client, member, monkeypatch):
    sign_in_key(member)
    checks = []
    real = signin.verify_authentication_response

    def counting(**kwargs):
        checks.append(kwargs["credential_public_key"])
        return real(**kwargs)

    monkeypatch.setattr(signin, "verify_authentication_response", counting)
    stranger = SoftAuthenticator(SITE, resident=True)
    unknown = passkey_post(client, stranger)
    known = passkey_post(client, sign_in_key(member), rp_id="evil.example")
    assert checks == [signin.STAND_IN_KEY, checks[1]] and checks[1] != signin.STAND_IN_KEY  # one signature each
    assert unknown.context["passkey_error"] == known.context["passkey_error"]
    unknown_rows = Counter.objects.filter(rule="account", username__startswith=signin.UNKNOWN_ACCOUNT_PREFIX)
    assert list(unknown_rows.values_list("failures", flat=True)) == [1]


def test_a_locked_client_is_refused_before_any_signature(client, member, settings, monkeypatch):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOCKOUT_IP_LIMIT": 2}
    for _attempt in range(2):
        passkey_post(client, SoftAuthenticator(SITE, resident=True))
    monkeypatch.setattr(signin, "verify_authentication_response", lambda **kwargs: pytest.fail("checked"))
    response = passkey_post(client, sign_in_key(member))
    assert response.status_code == 429 and not logged_in(client)


# --- the pipeline after the passkey ------------------------------------------------------------

def test_a_pending_compromised_reset_moves_to_new_password_or_none(client, member):
    from secure_shopadmin.resets import services as resets

    key = sign_in_key(member)
    resets.require_reset([member], notify=False)
    response = passkey_post(client, key)
    assert response.url == reverse("secure_shopadmin:reset_password") and not logged_in(client)
    page = client.get(response.url)
    assert page.status_code == 200 and b'id="remove-password"' in page.content
    done = client.post(response.url, {"action": "remove_password"})
    assert done.status_code == 302 and logged_in(client)
    member.refresh_from_db()
    assert not member.has_usable_password() and resets.pending_requirement(member) is None


def test_a_password_login_at_a_reset_step_is_not_offered_to_remove_the_password(client, member):
    from secure_shopadmin.resets import services as resets

    member.set_password(MEMBER_PASSWORD)
    member.save()
    resets.require_reset([member], mode="change", notify=False)
    response = client.post(LOGIN, {"username": "member0001", "password": MEMBER_PASSWORD})
    page = client.get(response.url)
    assert page.status_code == 200 and b"set-password-form" in page.content
    assert b'id="remove-password"' not in page.content  # only a passkey sign-in may remove it


def test_staff_under_require_phishing_resistant_reach_the_admin_with_the_passkey_alone(client, staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "REQUIRE_PHISHING_RESISTANT": {"staff": True}}
    staff_user.is_superuser = True
    staff_user.save()
    key = sign_in_key(staff_user)
    response = passkey_post(client, key, url=CONSOLE_LOGIN)
    assert response.status_code == 302 and logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 200
    event = SecurityEvent.objects.get(kind=EventKind.CONSOLE_LOGIN)
    assert event.details["steps"] == ["passkey"]


def test_the_console_network_list_and_idle_timeout_apply_to_a_passkey_session(client, staff_user, settings):
    import time_machine

    inside, outside, start = "10.1.2.3", "198.51.100.7", 1_900_000_000
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CONSOLE_ALLOWED_NETWORKS": ["10.0.0.0/8"],
                                 "CONSOLE_IDLE_TIMEOUT": 120}
    key = sign_in_key(staff_user)
    assert client.post(CONSOLE_LOGIN, {"passkey_answer": "{}"}, REMOTE_ADDR=outside).status_code == 403
    with time_machine.travel(start, tick=False) as clock:
        options = client.get(CONSOLE_LOGIN, REMOTE_ADDR=inside).context["passkey_sign_in_options"]
        assert client.post(CONSOLE_LOGIN, {"passkey_answer": key.get(options)}, REMOTE_ADDR=inside).status_code == 302
        assert client.get(reverse("admin:index"), REMOTE_ADDR=inside).status_code == 200
        assert client.get(reverse("admin:index"), REMOTE_ADDR=outside).status_code == 403
        clock.move_to(start + 121)
        assert client.get(reverse("admin:index"), REMOTE_ADDR=inside).status_code == 302
        assert not logged_in(client)


def test_a_members_passkey_does_not_open_the_console(client, member):
    response = passkey_post(client, sign_in_key(member), url=CONSOLE_LOGIN)
    assert response.status_code == 200 and not logged_in(client)
    assert counted("member0001") == (1, 1)


# --- members without a password ----------------------------------------------------------------

def signed_in_by_passkey(client, member):
    key = sign_in_key(member)
    assert passkey_post(client, key).status_code == 302
    return key


def test_a_member_removes_the_password_after_a_fresh_passkey(client, member):
    key = signed_in_by_passkey(client, member)
    page = client.get(MANAGE)
    options = page.context["password_removal_options"]
    assert options["userVerification"] == "required" and len(options["allowCredentials"]) == 1
    response = client.post(MANAGE, {"action": "remove_password", "passkey_answer": key.get(options)})
    assert response.status_code == 302 and logged_in(client)
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert SecurityEvent.objects.filter(kind=EventKind.PASSWORD_REMOVED).count() == 1
    assert client.get(MANAGE).context["password_removal_options"] is None
    stranger = Client()
    refused = stranger.post(LOGIN, {"username": "member0001", "password": MEMBER_PASSWORD})
    assert refused.status_code == 200 and not logged_in(stranger)
    client.logout()
    assert passkey_post(client, key).status_code == 302 and logged_in(client)


def test_the_password_stays_without_a_valid_passkey_answer(client, member):
    key = signed_in_by_passkey(client, member)
    options = client.get(MANAGE).context["password_removal_options"]
    key.user_verified = False
    client.post(MANAGE, {"action": "remove_password", "passkey_answer": key.get(options)})
    client.post(MANAGE, {"action": "remove_password", "passkey_answer": ""})
    member.refresh_from_db()
    assert member.has_usable_password()


def test_a_member_without_a_password_keeps_the_last_sign_in_passkey(client, member):
    sign_in_key(member)
    member.set_unusable_password()
    member.save()
    pipeline_login(client, member, channel="storefront")  # fresh
    device = member.passkeydevice_set.get()
    client.post(MANAGE, {"action": "remove_device", "kind": "passkey", "device": device.pk})
    client.post(MANAGE, {"action": "remove"})
    assert member.passkeydevice_set.filter(pk=device.pk).exists() and logged_in(client)


def test_a_breach_campaign_counts_an_account_without_a_password_as_not_exposed(member, staff_user):
    from secure_shopadmin.campaigns.models import Campaign
    from secure_shopadmin.campaigns.targets import add_selection

    sign_in_key(member)
    member.set_unusable_password()
    member.save()
    campaign = Campaign.objects.create(name="breach")
    source = add_selection(campaign, get_user_model().objects.all())
    assert list(campaign.targets.values_list("user__username", flat=True)) == [staff_user.username]
    assert source.added == 1
    assert SecurityEvent.objects.get(kind=EventKind.CAMPAIGN).details["not_exposed"] == 1


def test_the_reset_form_explains_accounts_without_a_password(client):
    page = client.get(reverse("secure_shopadmin:reset_resend"))
    assert b'id="passwordless-note"' in page.content


def test_the_admin_user_page_and_the_security_page_show_each_passkeys_use(client, member, superuser):
    sign_in_key(member)
    sign_in_key(member, sign_in=False)
    admin_page = pipeline_login(Client(), superuser).get(reverse("admin:auth_user_change", args=[member.pk]))
    panel = admin_page.content.decode().split('id="ssa-passkeys"')[1].split("</table>")[0]
    assert panel.count("signs in (no password)") == 1 and panel.count("second factor") == 1
    assert panel.count("never") == 2
    own_page = pipeline_login(client, member, channel="storefront").get(MANAGE).content.decode()
    assert own_page.count('class="ssa-passkey-kind"') == 2 and "signs in (no password)" in own_page
