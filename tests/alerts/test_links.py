""" "This was me" / "this wasn't me": GET shows, only the POST acts, once, before it expires."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin.alerts import signals
from secure_shopadmin.alerts.models import EnvironmentAlert, LoginRecord
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import KnownDevice, UserSession
from secure_shopadmin.resets.models import ResetRequirement

from .conftest import FIREFOX_LINUX, NOT_ME_RE, OTHER_IP, WAS_ME_RE, alert_mails, browser, link_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted(known_member, login):
    """The member's own browser (logged in) and an intruder's login that was alerted."""
    own = browser()
    login(own, known_member)
    intruder = browser(FIREFOX_LINUX, OTHER_IP)
    record = login(intruder, known_member)
    [message] = alert_mails(known_member)
    mail.outbox.clear()
    return {"own": own, "intruder": intruder, "record": record, "message": message,
            "was_me": link_path(WAS_ME_RE, message), "not_me": link_path(NOT_ME_RE, message)}


def logged_in(client):
    return client.get(reverse("shop:account")).status_code == 200


def state(user):
    alert = EnvironmentAlert.objects.get(user=user)
    user.refresh_from_db()
    return (alert.confirmed_at, alert.denied_at, UserSession.objects.filter(user=user).count(),
            user.password, ResetRequirement.objects.filter(user=user).count(),
            KnownDevice.objects.filter(user=user).count(), SecurityEvent.objects.count())


def test_get_on_either_link_changes_nothing(alerted, known_member):
    before = state(known_member)
    for path in (alerted["was_me"], alerted["not_me"]) * 3:  # mail scanners fetch links, often twice
        response = Client().get(path)
        assert response.status_code == 200 and b'id="alert-form"' in response.content
        assert response["Referrer-Policy"] == "same-origin"
        assert OTHER_IP.encode() in response.content
    assert state(known_member) == before and not mail.outbox
    assert logged_in(alerted["own"]) and logged_in(alerted["intruder"])


def test_head_and_other_methods_change_nothing(alerted, known_member):
    before = state(known_member)
    client = Client()
    assert client.head(alerted["not_me"]).status_code == 405
    assert client.put(alerted["not_me"]).status_code == 405
    assert client.delete(alerted["not_me"]).status_code == 405
    assert state(known_member) == before


def test_this_was_me_confirms_once(alerted, known_member):
    seen = []
    signals.login_confirmed.connect(lambda sender, user, record, **kw: seen.append(record.pk), weak=False,
                                    dispatch_uid="test-confirmed")
    try:
        response = Client().post(alerted["was_me"])
    finally:
        signals.login_confirmed.disconnect(dispatch_uid="test-confirmed")
    assert response.status_code == 200 and b'id="alert-done"' in response.content
    assert EnvironmentAlert.objects.get().confirmed_at is not None and seen == [alerted["record"].pk]
    assert logged_in(alerted["intruder"])  # nothing else changes
    again = Client().post(alerted["was_me"])
    assert again.status_code == 410 and b'id="alert-link-invalid"' in again.content


def test_this_wasnt_me_secures_the_account(alerted, known_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(alerted["not_me"])
    assert response.status_code == 200 and b'id="alert-done"' in response.content
    # every session ended (the fixture's first login, the member's own browser, the intruder)
    assert not logged_in(alerted["own"]) and not logged_in(alerted["intruder"])
    assert SESSION_KEY not in alerted["intruder"].session
    assert not UserSession.objects.filter(user=known_member).exists()
    # a compromised reset: the password no longer works, a link was mailed
    known_member.refresh_from_db()
    assert not known_member.has_usable_password()
    requirement = ResetRequirement.objects.get(user=known_member)
    assert requirement.mode == "compromised" and requirement.is_pending and requirement.category == "member"
    [reset_mail] = [m for m in mail.outbox if m.to == [known_member.email] and "/security/reset/link/" in m.body]
    assert "you told us that a recent login to your account was not you" in reset_mail.body
    # the security contacts were told
    [contacts] = [m for m in mail.outbox if m.to == ["security@shop.example"]]
    assert known_member.username in contacts.subject
    # the intruder's environment is disowned and forgotten
    record = LoginRecord.objects.get(pk=alerted["record"].pk)
    assert record.disowned_at is not None
    assert not KnownDevice.objects.filter(user=known_member, device_digest=record.device_digest).exists()
    # one audited event
    [event] = SecurityEvent.objects.filter(kind=EventKind.NOT_ME)
    assert event.target == known_member and event.details["record"] == record.pk
    assert event.details["sessions_ended"] == 3 and event.details["reset_required"] is True


def test_this_wasnt_me_voids_this_was_me(alerted):
    assert Client().post(alerted["not_me"]).status_code == 200
    assert Client().get(alerted["was_me"]).status_code == 410
    assert Client().post(alerted["was_me"]).status_code == 410
    assert EnvironmentAlert.objects.get().confirmed_at is None


def test_this_wasnt_me_still_acts_after_this_was_me(alerted, known_member):
    Client().post(alerted["was_me"])
    assert Client().post(alerted["not_me"]).status_code == 200
    assert ResetRequirement.objects.filter(user=known_member).exists()


def test_reused_link_gets_a_clear_page_and_changes_nothing(alerted, known_member):
    Client().post(alerted["not_me"])
    before = state(known_member)
    for method in ("get", "post"):
        response = getattr(Client(), method)(alerted["not_me"])
        assert response.status_code == 410 and b"Nothing was changed" in response.content
    assert state(known_member) == before


@pytest.mark.parametrize("tamper", [
    lambda path: path.replace("/not-me/", "x/not-me/"),
    lambda path: path[:-12] + "AAAA/not-me/",
    lambda path: path.replace("/not-me/", "/me/"),  # the other link's purpose
    lambda path: "/security/alerts/" + "A" * 300 + "/not-me/",
])
def test_tampered_link_gets_a_clear_page_and_changes_nothing(alerted, known_member, tamper):
    before = state(known_member)
    for method in ("get", "post"):
        response = getattr(Client(), method)(tamper(alerted["not_me"]))
        assert response.status_code == 410 and b'id="alert-link-invalid"' in response.content
    assert state(known_member) == before and logged_in(alerted["intruder"])


def test_expired_link_gets_a_clear_page_and_changes_nothing(alerted, known_member):
    EnvironmentAlert.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    before = state(known_member)
    for path in (alerted["was_me"], alerted["not_me"]):
        assert Client().get(path).status_code == 410
        assert Client().post(path).status_code == 410
    assert state(known_member) == before and logged_in(alerted["intruder"])


def test_post_needs_the_csrf_token(alerted, known_member):
    before = state(known_member)
    assert Client(enforce_csrf_checks=True).post(alerted["not_me"]).status_code == 403
    assert state(known_member) == before


def test_the_page_button_posts_with_its_csrf_token(alerted, known_member):
    client = Client(enforce_csrf_checks=True)
    page = client.get(alerted["not_me"])
    token = page.context["csrf_token"]
    assert client.post(alerted["not_me"], {"csrfmiddlewaretoken": str(token)}).status_code == 200
    assert ResetRequirement.objects.filter(user=known_member).exists()



@pytest.mark.django_db(transaction=True)  # committed as in production: the reset mail leaves inside the request
def test_this_wasnt_me_page_says_whether_the_reset_mail_left(alerted, settings):
    from tests.mailers import use_mail_backend

    use_mail_backend(settings, "tests.campaigns.failing_mail.EmailBackend")
    page = Client().post(alerted["not_me"]).content.decode()
    assert 'id="mail-failed"' in page and "We mailed you a link" not in page
    assert ResetRequirement.objects.get().is_pending  # the account is secured all the same


@pytest.mark.django_db(transaction=True)
def test_this_wasnt_me_page_says_the_reset_mail_left(alerted):
    page = Client().post(alerted["not_me"]).content.decode()
    assert 'id="mail-sent"' in page and "We mailed you a link to set a new password." in page


def test_this_wasnt_me_page_says_a_mail_still_queued(alerted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves after the response
        page = Client().post(alerted["not_me"]).content.decode()
    assert 'id="mail-queued"' in page and "We mailed you a link" not in page


def next_steps(page):
    import re

    return re.search(r'<ol class="ssa-next-steps" id="next-steps">.*?</ol>', page, re.S).group(0)


def test_this_wasnt_me_page_offers_the_next_steps(alerted):
    page = Client().post(alerted["not_me"]).content.decode()
    steps = next_steps(page)
    assert steps.index('id="step-new-password"') < steps.index('id="step-two-factor"') < steps.index(
        'id="step-history"')
    assert "set a new password with its link" in steps
    assert f'href="{reverse("secure_shopadmin:twofactor_manage")}">Turn on two-factor authentication</a>' in steps
    assert f'href="{reverse("secure_shopadmin:login_history")}">See your login history</a>' in steps
    assert 'id="next-steps"' not in Client().get(alerted["was_me"]).content.decode()


def test_this_wasnt_me_page_asks_a_user_with_two_factor_to_check_the_devices(alerted, known_member):
    from ..conftest import enrol_device

    enrol_device(known_member)
    steps = next_steps(Client().post(alerted["not_me"]).content.decode())
    assert "Check your two-factor authentication" in steps and "Turn on" not in steps
