"""The risk step's code: single use, bound to its login, short-lived, never stored in clear, budgeted."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin.alerts import challenge
from secure_shopadmin.alerts.models import LoginRecord, RiskChallenge
from secure_shopadmin.audit.models import SecurityEvent

from ..alerts.conftest import FIREFOX_LINUX, OTHER_IP, browser
from ..conftest import MEMBER_PASSWORD
from .conftest import NOT_ME_RE, mailed_code

CODE_URL = "secure_shopadmin:risk_code"


@pytest.fixture
def challenged(member, geo, login, django_capture_on_commit_callbacks):
    """Returns a function: a new attacker browser abroad that met the code page, and the mailed code."""
    login(browser(), member)
    mail.outbox.clear()

    def attempt():
        client = browser(FIREFOX_LINUX, OTHER_IP)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("shop:login"), {"username": member.username, "password": MEMBER_PASSWORD})
        assert response["Location"] == reverse(CODE_URL)
        return client, mailed_code(member)[0]
    return attempt


def give(client, code):
    return client.post(reverse(CODE_URL), {"code": code})


def logged_in(client):
    return "_auth_user_id" in client.session


def test_the_code_is_long_unambiguous_and_never_stored_in_clear(challenged):
    client, code = challenged()
    raw = code.replace("-", "")
    assert len(raw) == challenge.CODE_LENGTH >= 8 and set(raw) <= set(challenge.ALPHABET)
    assert len(challenge.ALPHABET) ** challenge.CODE_LENGTH > 2 ** 32
    assert not set("01OIL") & set(challenge.ALPHABET)
    row = RiskChallenge.objects.values().get()
    stored = " ".join(str(value) for value in row.values())
    stored += " ".join(str(v) for v in LoginRecord.objects.values().get(outcome="challenged").values())
    stored += " ".join(str(e.details) for e in SecurityEvent.objects.all())
    assert raw not in stored and code not in stored
    deny_token = NOT_ME_RE.search(mailed_code(RiskChallenge.objects.get().user)[1].body).group(1).split("/")[-3]
    assert len(deny_token) > 30 and deny_token not in stored
    assert row["expires_at"] - row["created_at"] <= timedelta(minutes=10)


def test_a_code_works_once(challenged):
    client, code = challenged()
    assert give(client, code).status_code == 302 and logged_in(client)
    assert RiskChallenge.objects.get().passed_at is not None
    assert not challenge.verify(RiskChallenge.objects.get().user, "any binding", code)


def test_a_code_opens_only_the_login_it_was_mailed_for(challenged):
    first, first_code = challenged()
    second, second_code = challenged()
    assert first_code != second_code
    assert give(second, first_code).status_code == 200 and not logged_in(second)
    assert give(first, first_code).status_code == 302 and logged_in(first)


def test_a_code_expires(challenged, settings, time_machine):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "PARTIAL_LOGIN_TIMEOUT": 3600}  # only the code ends
    client, code = challenged()
    time_machine.move_to(RiskChallenge.objects.get().expires_at + timedelta(seconds=1))
    response = give(client, code)
    assert response.status_code == 200 and not logged_in(client)
    assert "expired" in response.content.decode()


def test_wrong_codes_are_budgeted(challenged):
    client, code = challenged()
    statuses = [give(client, "ABCDE-FGHJK").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # LOCKOUT_OTP_LIMIT: the fifth wrong code locks
    assert give(client, code).status_code == 302 and not logged_in(client)  # the partial login was dropped
    second, second_code = challenged()  # a new login from the same client IP is still refused codes
    assert give(second, second_code).status_code == 429 and not logged_in(second)


def test_resending_is_throttled_and_voids_the_old_code(challenged, time_machine, django_capture_on_commit_callbacks):
    client, code = challenged()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CODE_URL), {"resend": "1"})
    assert mailed_code(RiskChallenge.objects.get().user)[0] == code  # too soon: nothing mailed
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CODE_URL), {"resend": "1"})
    new_code, resent = mailed_code(RiskChallenge.objects.get().user)
    assert new_code != code
    first = [m for m in mail.outbox if code in m.body][0]
    assert NOT_ME_RE.search(first.body).group(1) == NOT_ME_RE.search(resent.body).group(1)  # the same link
    assert give(client, code).status_code == 200 and not logged_in(client)
    assert give(client, new_code).status_code == 302 and logged_in(client)


def test_the_code_page_is_all_the_partial_login_reaches(challenged):
    client, _code = challenged()
    assert client.get(reverse(CODE_URL)).status_code == 200
    assert client.get(reverse("shop:account")).status_code == 302
