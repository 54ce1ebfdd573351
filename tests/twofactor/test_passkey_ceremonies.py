"""Registration and assertion checks of passkeys, against a software authenticator whose every field
can be made wrong (origin, RP id, counter, flags, signature)."""

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.twofactor.passkeys import ceremonies
from secure_shopadmin.twofactor.passkeys.ceremonies import PasskeyRefused
from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

from .softkey import SoftAuthenticator, b64url

pytestmark = pytest.mark.django_db
SITE = "https://shop.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": SITE}


@pytest.fixture
def request_():
    request = RequestFactory().post("/", HTTP_HOST="shop.example")
    request.session = SessionStore()
    return request


def refused(reason, call, *args, **kwargs):
    with pytest.raises(PasskeyRefused) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


def registered(request, user, authenticator=None, name=""):
    authenticator = authenticator or SoftAuthenticator(SITE, counter=5)
    options = ceremonies.registration_options(request, user)
    return authenticator, ceremonies.register(request, user, authenticator.create(options), name)


def kinds():
    return list(SecurityEvent.objects.values_list("kind", flat=True))


# --- registration -----------------------------------------------------------------------------

def test_registration_options_prefer_user_verification_and_come_from_site_url(request_, staff_user):
    request_.META["HTTP_HOST"] = "evil.example"  # never read
    registered(request_, staff_user)
    options = ceremonies.registration_options(request_, staff_user)
    assert options["rp"] == {"id": "shop.example", "name": "Example Shop"}
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["authenticatorSelection"]["residentKey"] == "discouraged"
    assert options["attestation"] == "none"
    assert options["user"]["name"] == "clerk"
    assert "clerk" not in options["user"]["id"]  # an opaque handle, the same for each ceremony
    assert options["user"]["id"] == ceremonies.registration_options(request_, staff_user)["user"]["id"]
    device = PasskeyDevice.objects.get()
    assert options["excludeCredentials"] == [{"id": device.credential_id, "type": "public-key", "transports": ["usb"]}]
    assert options["timeout"] == 180_000


def test_a_valid_registration_keeps_the_public_key_counter_and_transports(request_, staff_user):
    key = SoftAuthenticator(SITE, counter=5, transports=("usb", "nfc"))
    authenticator, device = registered(request_, staff_user, key)
    device.refresh_from_db()
    assert device.user == staff_user and device.confirmed
    assert device.credential_id == b64url(authenticator.credential_id)
    assert bytes(device.public_key) == authenticator.cose_key()
    assert (device.sign_count, device.transports, device.name) == (5, ["nfc", "usb"], "Security key")
    assert device.created_at is not None and device.last_used_at is None
    event = SecurityEvent.objects.get(kind=EventKind.PASSKEY_ADDED)
    assert (event.target_username, event.details) == ("clerk", {"passkey": "Security key"})
    assert ceremonies.has_passkey(staff_user)


def test_names_the_user_gives_and_the_default_ones(request_, staff_user):
    assert registered(request_, staff_user, name="  YubiKey 5C  ")[1].name == "YubiKey 5C"
    assert registered(request_, staff_user, SoftAuthenticator(SITE, transports=("internal",)))[1].name == "Passkey 2"


def test_registration_signed_for_another_origin_is_refused(request_, staff_user):
    options = ceremonies.registration_options(request_, staff_user)
    answer = SoftAuthenticator(SITE).create(options, origin="https://shop.example.login-check.net")
    refused("registration_invalid", ceremonies.register, request_, staff_user, answer)
    assert not PasskeyDevice.objects.exists() and EventKind.PASSKEY_ADDED not in kinds()


def test_registration_for_another_rp_id_is_refused(request_, staff_user):
    options = ceremonies.registration_options(request_, staff_user)
    answer = SoftAuthenticator(SITE).create(options, rp_id="login-check.net")
    refused("registration_invalid", ceremonies.register, request_, staff_user, answer)
    assert not PasskeyDevice.objects.exists()


def test_the_origin_port_and_scheme_count(request_, staff_user, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example:8443/console/"}
    for wrong in ("https://shop.example", "http://shop.example:8443"):
        options = ceremonies.registration_options(request_, staff_user)
        answer = SoftAuthenticator(wrong).create(options)
        refused("registration_invalid", ceremonies.register, request_, staff_user, answer)
    options = ceremonies.registration_options(request_, staff_user)
    ceremonies.register(request_, staff_user, SoftAuthenticator("https://shop.example:8443").create(options))


def test_registration_challenge_serves_once_and_only_its_user(request_, staff_user, superuser):
    options = ceremonies.registration_options(request_, staff_user)
    answer = SoftAuthenticator(SITE).create(options)
    refused("no_challenge", ceremonies.register, request_, superuser, answer)  # spent by the wrong user's try
    options = ceremonies.registration_options(request_, staff_user)
    answer = SoftAuthenticator(SITE).create(options)
    ceremonies.register(request_, staff_user, answer)
    refused("no_challenge", ceremonies.register, request_, staff_user, answer)
    assert PasskeyDevice.objects.count() == 1


def test_an_answer_to_another_challenge_is_refused(request_, staff_user):
    stale = ceremonies.registration_options(request_, staff_user)
    ceremonies.registration_options(request_, staff_user)  # the session now holds a newer challenge
    refused("registration_invalid", ceremonies.register, request_, staff_user, SoftAuthenticator(SITE).create(stale))


def test_an_expired_challenge_is_refused(request_, staff_user, monkeypatch):
    options = ceremonies.registration_options(request_, staff_user)
    answer = SoftAuthenticator(SITE).create(options)
    later = ceremonies.time.time() + 181
    monkeypatch.setattr(ceremonies.time, "time", lambda: later)
    refused("challenge_expired", ceremonies.register, request_, staff_user, answer)


def test_one_credential_is_registered_once(request_, staff_user, superuser):
    authenticator, _ = registered(request_, staff_user)
    refused("credential_taken", registered, request_, superuser, authenticator)
    assert PasskeyDevice.objects.get().user == staff_user


@pytest.mark.parametrize("answer", [
    "", "not json", "[]", "{}", json.dumps({"id": "x", "rawId": "x", "type": "public-key"}),
    json.dumps({"id": "!!", "rawId": "!!", "type": "public-key", "response": {"clientDataJSON": "!!",
                                                                           "attestationObject": "!!"}}),
    "x" * (65 * 1024), None, 17,
])
def test_malformed_registration_answers_are_refused_not_raised(request_, staff_user, answer):
    ceremonies.registration_options(request_, staff_user)
    with pytest.raises(PasskeyRefused) as caught:
        ceremonies.register(request_, staff_user, answer)
    assert caught.value.reason in ("malformed", "registration_invalid")


def test_every_mangled_field_of_a_registration_is_refused(request_, staff_user):
    authenticator = SoftAuthenticator(SITE)
    for field in ("clientDataJSON", "attestationObject"):
        for mangle in (lambda v: v[:-4], lambda v: "A" + v, lambda v: v[::-1], lambda v: 12):
            options = ceremonies.registration_options(request_, staff_user)
            answer = json.loads(authenticator.create(options))
            answer["response"][field] = mangle(answer["response"][field])
            with pytest.raises(PasskeyRefused):
                ceremonies.register(request_, staff_user, json.dumps(answer))
    assert not PasskeyDevice.objects.exists()


# --- assertions ---------------------------------------------------------------------------------

def assertion(request, user, authenticator, **kwargs):
    return authenticator.get(ceremonies.authentication_options(request, user), **kwargs)


def test_authentication_options_name_the_users_passkeys_only(request_, staff_user, superuser):
    registered(request_, superuser)
    _, device = registered(request_, staff_user)
    options = ceremonies.authentication_options(request_, staff_user)
    assert options["rpId"] == "shop.example" and options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == [device.credential_id]


def test_a_valid_assertion_returns_the_device_and_claims_its_counter(request_, staff_user):
    authenticator, device = registered(request_, staff_user)
    assert ceremonies.verify_assertion(request_, staff_user, assertion(request_, staff_user, authenticator)) == device
    device.refresh_from_db()
    assert device.sign_count == 6 and device.last_used_at is not None
    ceremonies.verify_assertion(request_, staff_user, assertion(request_, staff_user, authenticator))
    assert PasskeyDevice.objects.get().sign_count == 7


def test_an_assertion_for_another_origin_or_rp_id_is_refused(request_, staff_user):
    authenticator, _ = registered(request_, staff_user)
    for wrong in ({"origin": "https://shop.example.login-check.net"}, {"rp_id": "login-check.net"},
                  {"origin": "http://shop.example"}):
        answer = assertion(request_, staff_user, authenticator, **wrong)
        refused("assertion_invalid", ceremonies.verify_assertion, request_, staff_user, answer)
    assert PasskeyDevice.objects.get().sign_count == 5  # nothing claimed
    assert EventKind.PASSKEY_CLONE_DETECTED not in kinds()


def test_a_replayed_counter_is_refused_and_audited_as_a_clone(request_, staff_user):
    authenticator, _ = registered(request_, staff_user)
    ceremonies.verify_assertion(request_, staff_user, assertion(request_, staff_user, authenticator))  # counter 6
    answer = assertion(request_, staff_user, authenticator, counter=6)  # a fresh challenge, the same counter
    error = refused("counter_not_increased", ceremonies.verify_assertion, request_, staff_user, answer)
    assert error.device.pk == PasskeyDevice.objects.get().pk
    event = SecurityEvent.objects.get(kind=EventKind.PASSKEY_CLONE_DETECTED)
    assert (event.target_username, event.details) == (
        "clerk", {"passkey": "Security key", "stored_counter": 6, "received_counter": 6})
    assert PasskeyDevice.objects.get().sign_count == 6


def test_a_cloned_key_behind_the_original_is_refused(request_, staff_user):
    original, _ = registered(request_, staff_user)
    copy = original.clone()
    for _ in range(3):
        ceremonies.verify_assertion(request_, staff_user, assertion(request_, staff_user, original))
    refused("counter_not_increased", ceremonies.verify_assertion, request_, staff_user,
            assertion(request_, staff_user, copy))  # the copy says 6, the shop has seen 8
    zero = assertion(request_, staff_user, original, counter=0)
    refused("counter_not_increased", ceremonies.verify_assertion, request_, staff_user, zero)
    assert SecurityEvent.objects.filter(kind=EventKind.PASSKEY_CLONE_DETECTED).count() == 2


def test_an_authenticator_without_a_counter_is_accepted_each_time(request_, staff_user):
    authenticator, device = registered(request_, staff_user, SoftAuthenticator(SITE, counter=0))
    for _ in range(2):
        answer = assertion(request_, staff_user, authenticator)
        assert ceremonies.verify_assertion(request_, staff_user, answer) == device
    assert PasskeyDevice.objects.get().sign_count == 0
    ceremonies.verify_assertion(request_, staff_user, assertion(request_, staff_user, authenticator, counter=1))
    refused("counter_not_increased", ceremonies.verify_assertion, request_, staff_user,
            assertion(request_, staff_user, authenticator, counter=0))  # once it counted, 0 is a step back


def test_a_foreign_credential_is_refused(request_, staff_user, superuser):
    registered(request_, staff_user)
    stranger = SoftAuthenticator(SITE, counter=1)  # never registered
    refused("unknown_credential", ceremonies.verify_assertion, request_, staff_user,
            assertion(request_, staff_user, stranger))
    owners, _ = registered(request_, superuser)  # another user's passkey
    refused("unknown_credential", ceremonies.verify_assertion, request_, staff_user,
            assertion(request_, staff_user, owners))


def test_a_signature_by_another_key_is_refused(request_, staff_user):
    authenticator, _ = registered(request_, staff_user)
    forger = SoftAuthenticator(SITE)
    answer = assertion(request_, staff_user, authenticator, key=forger.key)
    refused("assertion_invalid", ceremonies.verify_assertion, request_, staff_user, answer)


def test_user_presence_is_required_and_user_verification_only_preferred(request_, staff_user):
    authenticator, _ = registered(request_, staff_user, SoftAuthenticator(SITE, counter=1, user_verified=False))
    ceremonies.verify_assertion(request_, staff_user, assertion(request_, staff_user, authenticator))
    refused("assertion_invalid", ceremonies.verify_assertion, request_, staff_user,
            assertion(request_, staff_user, authenticator, present=False))


def test_an_assertion_serves_once(request_, staff_user):
    authenticator, _ = registered(request_, staff_user)
    answer = assertion(request_, staff_user, authenticator)
    ceremonies.verify_assertion(request_, staff_user, answer)
    refused("no_challenge", ceremonies.verify_assertion, request_, staff_user, answer)
    ceremonies.registration_options(request_, staff_user)  # a registration challenge is no sign-in one
    refused("no_challenge", ceremonies.verify_assertion, request_, staff_user, answer)


def test_malformed_assertions_are_refused_not_raised(request_, staff_user):
    authenticator, _ = registered(request_, staff_user)
    good = json.loads(assertion(request_, staff_user, authenticator))
    for field in ("clientDataJSON", "authenticatorData", "signature"):
        for value in (good["response"][field][:-3], "", "***", 5, None):
            ceremonies.authentication_options(request_, staff_user)
            answer = {**good, "response": {**good["response"], field: value}}
            with pytest.raises(PasskeyRefused):
                ceremonies.verify_assertion(request_, staff_user, json.dumps(answer))
    for junk in ("", "{}", "null", json.dumps({**good, "rawId": "%%"})):
        ceremonies.authentication_options(request_, staff_user)
        with pytest.raises(PasskeyRefused):
            ceremonies.verify_assertion(request_, staff_user, junk)


def test_the_stored_public_key_is_what_checks_the_signature(request_, staff_user):
    authenticator, device = registered(request_, staff_user)
    PasskeyDevice.objects.filter(pk=device.pk).update(public_key=SoftAuthenticator(SITE).cose_key())
    refused("assertion_invalid", ceremonies.verify_assertion, request_, staff_user,
            assertion(request_, staff_user, authenticator))


# --- the user's list ------------------------------------------------------------------------------

def test_rename_and_remove_touch_only_the_users_own_passkeys(request_, staff_user, superuser):
    _, mine = registered(request_, staff_user)
    _, theirs = registered(request_, superuser)
    assert not ceremonies.rename(staff_user, theirs.pk, "mine now")
    assert not ceremonies.rename(staff_user, mine.pk, "   ")
    assert ceremonies.rename(staff_user, mine.pk, "Desk key")
    assert ceremonies.remove(staff_user, theirs.pk) is None
    assert ceremonies.remove(staff_user, mine.pk, actor=staff_user, reason="lost") == "Desk key"
    assert list(PasskeyDevice.objects.values_list("user__username", flat=True)) == ["owner"]
    event = SecurityEvent.objects.get(kind=EventKind.PASSKEY_REMOVED)
    assert (event.actor_username, event.target_username, event.reason, event.details) == (
        "clerk", "clerk", "lost", {"passkey": "Desk key"})
