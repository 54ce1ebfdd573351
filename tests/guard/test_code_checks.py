"""Every code check goes through one function that takes a slot of the guard's code budget *before*
checking: the verify step and the e-mail change form here (the self-service page asks for its code on
the re-authentication page, which checks through the same function)."""

import pytest
from django.test import Client
from django.urls import reverse

from secure_shopadmin import pipeline
from secure_shopadmin.lockout import rules
from secure_shopadmin.lockout.models import Counter
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor import codes

from ..conftest import STAFF_PASSWORD
from ..twofactor.helpers import password_login

pytestmark = pytest.mark.django_db
VERIFY = reverse("secure_shopadmin:twofactor_verify")
EMAIL = reverse("secure_shopadmin:email_change")


def wrong(totp_now):
    return "000000" if totp_now != "000000" else "111111"


@pytest.fixture
def code_checks(monkeypatch):
    """Each code the process checks, with the guard's count of codes for its account at that moment."""
    seen = []
    original = codes.verify_totp

    def counting(device, token):
        row = Counter.objects.filter(rule=rules.OTP, username=device.user.get_username()).first()
        seen.append(row.failures if row is not None else 0)
        return original(device, token)

    monkeypatch.setattr(codes, "verify_totp", counting)
    return seen


def post_wrong_code(page, client, staff_totp):
    code = wrong(staff_totp.now())
    if page == "verify":
        assert password_login(client).url == VERIFY
        return client.post(VERIFY, {"otp_token": code})
    return client.post(EMAIL, {"email": "thief@evil.example", "password": STAFF_PASSWORD, "otp_token": code})


def logged_in(page, staff_user):
    client = Client()
    if page != "verify":
        pipeline_login(client, staff_user)
    return client


@pytest.mark.parametrize("page", ["verify", "email"])
def test_a_slot_is_taken_before_each_code_is_checked(page, staff_user, staff_totp, code_checks):
    client = logged_in(page, staff_user)
    post_wrong_code(page, client, staff_totp)
    assert code_checks == [1]  # the failure was already counted when the code was checked


@pytest.mark.parametrize("page", ["verify", "email"])
def test_no_code_is_checked_past_the_budget(page, staff_user, staff_totp, code_checks, mailoutbox):
    answers = [post_wrong_code(page, logged_in(page, staff_user), staff_totp).status_code for _ in range(8)]
    assert len(code_checks) == 5, answers
    assert answers[-1] == 429


def test_the_email_change_form_refuses_the_right_code_once_the_budget_is_spent(staff_user, staff_totp):
    client = pipeline_login(Client(), staff_user)
    for _ in range(5):
        post_wrong_code("email", client, staff_totp)
    response = client.post(EMAIL, {"email": "new@shop.example", "password": STAFF_PASSWORD,
                                   "otp_token": staff_totp.now()})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many wrong codes" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.email == "clerk@shop.example"


def test_the_code_is_not_checked_after_a_wrong_password(staff_user, staff_totp, code_checks):
    client = pipeline_login(Client(), staff_user)
    client.post(EMAIL, {"email": "new@shop.example", "password": "wrong", "otp_token": staff_totp.now()})
    assert code_checks == []


def test_a_right_code_gives_its_slot_back(rf, staff_user, staff_totp):
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.post("/", REMOTE_ADDR="203.0.113.9")
    request.session = SessionStore()
    assert pipeline.check_code(request, staff_user, staff_totp.now()).method == "totp"
    row = Counter.objects.filter(rule=rules.OTP).first()
    assert row is None or row.failures == 0
    refused = pipeline.check_code(request, staff_user, "not a code")
    assert not refused.ok and not refused.retry_after


def test_a_right_code_whose_login_goes_on_to_a_reset_gives_its_slot_back(staff_user, staff_totp):
    from secure_shopadmin.resets.models import ResetMode
    from secure_shopadmin.resets.services import require_reset

    client = Client()
    password_login(client)
    assert client.post(VERIFY, {"otp_token": wrong(staff_totp.now())}).status_code == 200
    assert Counter.objects.get(rule=rules.OTP).failures == 1
    require_reset([staff_user], mode=ResetMode.CHANGE, notify=False)  # the login stops at the reset step next
    response = client.post(VERIFY, {"otp_token": staff_totp.now()})
    assert response.status_code == 302 and response.url != VERIFY
    assert Counter.objects.get(rule=rules.OTP).failures == 1  # the wrong code stays, the right one is given back


def test_a_right_code_that_finishes_the_login_clears_the_code_counts(staff_user, staff_totp):
    client = Client()
    password_login(client)
    client.post(VERIFY, {"otp_token": wrong(staff_totp.now())})
    client.post(VERIFY, {"otp_token": staff_totp.now()})
    assert not Counter.objects.filter(rule__in=[rules.OTP, rules.OTP_ACCOUNT], failures__gt=0).exists()
