"""The ceremonies replay answers recorded from Chromium's virtual authenticator (``record_chromium_passkeys``):
a real browser's encoding, through the app's own ``passkeys.js``."""

import json
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from webauthn.helpers import base64url_to_bytes

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.twofactor.passkeys import ceremonies
from secure_shopadmin.twofactor.passkeys.ceremonies import AUTHENTICATION, REGISTRATION, PasskeyRefused
from secure_shopadmin.twofactor.passkeys.models import PasskeyDevice

pytestmark = pytest.mark.django_db
RECORDED = json.loads((Path(__file__).parent / "fixtures" / "chromium_passkeys.json").read_text())


@pytest.fixture
def site(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": RECORDED["origin"] + "/"}


@pytest.fixture
def request_():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


def replay(request, user, ceremony, recorded):
    """Put the recorded challenge in the session, as the options page would have, and check the answer."""
    ceremonies.remember_challenge(request, ceremony, base64url_to_bytes(recorded["challenge"]), user)
    if ceremony == REGISTRATION:
        return ceremonies.register(request, user, recorded["answer"])
    return ceremonies.verify_assertion(request, user, recorded["answer"])


def reason(call, *args):
    with pytest.raises(PasskeyRefused) as caught:
        call(*args)
    return caught.value.reason


def test_chromiums_registration_and_sign_ins_pass_and_the_counter_grows(site, request_, staff_user):
    device = replay(request_, staff_user, REGISTRATION, RECORDED["registration"])
    assert (device.transports, device.sign_count, device.name) == (["usb"], 1, "Security key")
    assert device.credential_id == json.loads(RECORDED["registration"]["answer"])["id"]
    for counter, recorded in enumerate(RECORDED["assertions"], start=2):
        assert replay(request_, staff_user, AUTHENTICATION, recorded) == device
        assert PasskeyDevice.objects.get().sign_count == counter


def test_a_replayed_recorded_assertion_is_refused_as_a_counter_step_back(site, request_, staff_user):
    replay(request_, staff_user, REGISTRATION, RECORDED["registration"])
    first, second = RECORDED["assertions"]
    replay(request_, staff_user, AUTHENTICATION, second)  # counter 3
    assert reason(replay, request_, staff_user, AUTHENTICATION, first) == "counter_not_increased"  # counter 2
    assert SecurityEvent.objects.get(kind=EventKind.PASSKEY_CLONE_DETECTED).details["received_counter"] == 2


def test_an_assertion_made_on_another_origin_is_refused(site, request_, staff_user):
    replay(request_, staff_user, REGISTRATION, RECORDED["registration"])
    recorded = RECORDED["assertion_on_other_origin"]  # same RP id (localhost), another port
    assert reason(replay, request_, staff_user, AUTHENTICATION, recorded) == "assertion_invalid"
    assert PasskeyDevice.objects.get().sign_count == 1


def test_recorded_answers_checked_against_another_site_url_are_refused(settings, request_, staff_user):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": RECORDED["other_origin"]}
    assert reason(replay, request_, staff_user, REGISTRATION, RECORDED["registration"]) == "registration_invalid"
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SITE_URL": "https://shop.example"}
    assert reason(replay, request_, staff_user, REGISTRATION, RECORDED["registration"]) == "registration_invalid"


def test_a_second_authenticators_credential_is_refused(site, request_, staff_user, superuser):
    replay(request_, staff_user, REGISTRATION, RECORDED["registration"])
    foreign = RECORDED["foreign"]
    assert reason(replay, request_, staff_user, AUTHENTICATION, foreign["assertion"]) == "unknown_credential"
    replay(request_, superuser, REGISTRATION, foreign["registration"])  # registered, but to someone else
    assert reason(replay, request_, staff_user, AUTHENTICATION, foreign["assertion"]) == "unknown_credential"
    assert replay(request_, superuser, AUTHENTICATION, foreign["assertion"]).user == superuser
