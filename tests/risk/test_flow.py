"""Risk-based logins end to end, one test per row of the issue's table (docs/risk.rst)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from secure_shopadmin.alerts.models import AlertDecision, LoginOutcome, LoginRecord, RiskChallenge
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.partial import MARKER_KEY
from secure_shopadmin.resets.models import ResetMode, ResetRequirement

from ..alerts.conftest import CHROME_120_WINDOWS, FIREFOX_LINUX, OTHER_IP, THIRD_IP, browser
from ..conftest import MEMBER_PASSWORD
from .conftest import ANONYMOUS_IP, NOT_ME_RE, mailed_code

ABROAD_IP = OTHER_IP  # Frankfurt, "Foreign Hosting"
SAME_OWNER_NEW_PREFIX = "198.18.5.9"  # Osaka, "Example Net", another /24
FAR_IP = "100.64.3.3"  # New York, "Far ISP"


def post_login(client, user, capture, password=MEMBER_PASSWORD):
    with capture(execute=True):
        return client.post(reverse("shop:login"), {"username": user.get_username(), "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def home(member, geo, login):
    """The member's phone/PC at home (a known device) with one recorded login."""
    client = browser()
    login(client, member)
    client.post(reverse("shop:logout"))  # the device cookie stays
    mail.outbox.clear()
    return client


def test_leaked_password_from_a_new_device_abroad_meets_the_code(member, home, django_capture_on_commit_callbacks):
    attacker = browser(FIREFOX_LINUX, ABROAD_IP)
    response = post_login(attacker, member, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("secure_shopadmin:risk_code")
    assert not logged_in(attacker)
    assert attacker.get(reverse("secure_shopadmin:login_history")).status_code == 302  # nothing else opens
    code, message = mailed_code(member)
    assert "Frankfurt am Main, Germany" in message.body and "Foreign Hosting (AS64510)" in message.body
    challenged = LoginRecord.objects.get(user=member, outcome=LoginOutcome.CHALLENGED)
    assert challenged.risk_level == "high" and "new_country" in challenged.reason_names
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.post(reverse("secure_shopadmin:risk_code"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and logged_in(attacker)
    assert attacker.session[MARKER_KEY]["verified"] is False  # a risk step, never a second factor (ASVS 6.3.6)
    success = LoginRecord.objects.filter(user=member, outcome=LoginOutcome.SUCCESS).latest("pk")
    assert success.country == "DE" and success.asn == 64510 and success.alert == AlertDecision.MAIL_PROVEN
    assert SecurityEvent.objects.filter(kind=EventKind.RISK_PASSED).count() == 1


def test_a_known_device_abroad_is_notified_not_challenged(member, home, login):
    LoginRecord.objects.update(created_at=timezone.now() - timedelta(days=2))  # a flight's time ago
    home.defaults["REMOTE_ADDR"] = ABROAD_IP
    record = login(home, member)
    assert record.outcome == LoginOutcome.SUCCESS and record.risk_level == "medium"
    assert record.alert == AlertDecision.SENT and not RiskChallenge.objects.exists()
    alert = next(m for m in mail.outbox if "/security/alerts/" in m.body)
    assert alert.subject == "New login to Example Shop from Chrome on Windows"
    assert "Frankfurt am Main, Germany" in alert.body and "/security/account/logins/" in alert.body
    assert "Login: the shop's member login" in alert.body


@pytest.mark.parametrize("with_cookie", [True, False])
def test_a_new_prefix_of_the_same_owner_and_country_sends_no_alert(member, home, login, with_cookie):
    client = home if with_cookie else browser(CHROME_120_WINDOWS, SAME_OWNER_NEW_PREFIX)
    client.defaults["REMOTE_ADDR"] = SAME_OWNER_NEW_PREFIX
    record = login(client, member)
    assert record.risk_level == "low" and record.alert in (AlertDecision.FAMILIAR, AlertDecision.LOW_RISK)
    assert mail.outbox == []
    assert ("new_device" in record.reason_names) is not with_cookie


def test_impossible_travel_is_challenged(member, home, django_capture_on_commit_callbacks):
    home.defaults["REMOTE_ADDR"] = FAR_IP  # Osaka to New York within a minute, on the known device
    response = post_login(home, member, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("secure_shopadmin:risk_code") and not logged_in(home)
    assert "impossible_travel" in LoginRecord.objects.get(outcome=LoginOutcome.CHALLENGED).reason_names


def test_an_anonymous_list_address_is_challenged(member, home, django_capture_on_commit_callbacks):
    home.defaults["REMOTE_ADDR"] = ANONYMOUS_IP  # known device, home network, but on the list
    response = post_login(home, member, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("secure_shopadmin:risk_code")
    assert LoginRecord.objects.get(outcome=LoginOutcome.CHALLENGED).reason_names == ["anonymous_network"]


def test_a_breached_password_requires_a_compromised_reset(member, geo, django_capture_on_commit_callbacks):
    member.set_password("password123")
    member.save()
    mail.outbox.clear()
    client = browser()
    response = post_login(client, member, django_capture_on_commit_callbacks, password="password123")
    assert response["Location"] == reverse("secure_shopadmin:reset_link_needed") and not logged_in(client)
    requirement = ResetRequirement.objects.get(user=member)
    assert requirement.mode == ResetMode.COMPROMISED
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert any("/security/reset/link/" in m.body for m in mail.outbox)


def test_a_third_network_at_home_stays_today_familiar(member, home, login):
    """Without a place (an address no database knows), today's rule decides: a new browser alerts."""
    record = login(browser(FIREFOX_LINUX, "10.9.8.7"), member)
    assert record.country == "" and "unfamiliar" in record.reason_names and record.alert == AlertDecision.SENT
    assert "10.9.8.7" in mail.outbox[-1].body


def test_the_history_shows_place_and_network_owner(member, home, login):
    home.defaults["REMOTE_ADDR"] = THIRD_IP
    login(home, member)
    page = home.get(reverse("secure_shopadmin:login_history")).content.decode()
    assert "Tokyo, Japan · Example Mobile (AS64501)" in page and "Osaka, Japan · Example Net (AS64500)" in page
    home.cookies["django_language"] = "ja"
    page = home.get(reverse("secure_shopadmin:login_history"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "東京, 日本" in page


def test_a_refused_policy_blocks_like_a_wrong_password(member, home, settings, django_capture_on_commit_callbacks):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN,
                                 "RISK_POLICY": {"storefront": {"medium": "notify", "high": "block"}}}
    attacker = browser(FIREFOX_LINUX, ABROAD_IP)
    response = post_login(attacker, member, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and not logged_in(attacker)  # the login form again, as for a wrong one
    assert LoginRecord.objects.get(outcome=LoginOutcome.BLOCKED).risk_level == "high"
    assert SecurityEvent.objects.filter(kind=EventKind.RISK_BLOCKED).count() == 1
    assert "blocked" in mail.outbox[-1].subject


def test_not_me_from_the_code_mail_ends_sessions_and_forces_the_reset(member, home, login,
                                                                      django_capture_on_commit_callbacks):
    login(home, member)
    assert logged_in(home)
    attacker = browser(FIREFOX_LINUX, ABROAD_IP)
    post_login(attacker, member, django_capture_on_commit_callbacks)
    code, message = mailed_code(member)
    path = NOT_ME_RE.search(message.body).group(1)
    owner = browser()
    assert "Frankfurt" in owner.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(path).status_code == 200
    assert home.get(reverse("secure_shopadmin:login_history")).status_code == 302  # its session ended
    assert ResetRequirement.objects.get(user=member).mode == ResetMode.COMPROMISED
    assert LoginRecord.objects.get(outcome=LoginOutcome.CHALLENGED).disowned_at is not None
    response = attacker.post(reverse("secure_shopadmin:risk_code"), {"code": code})
    assert not logged_in(attacker) and response.status_code == 302  # the partial login died with the password
    assert owner.post(path).status_code == 410  # the link acts once


def test_an_ipv6_login_abroad_is_challenged(member, home, django_capture_on_commit_callbacks):
    attacker = browser(FIREFOX_LINUX, "2001:db8:2::77")  # Frankfurt, Foreign Hosting, in the IPv6 table
    response = post_login(attacker, member, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("secure_shopadmin:risk_code") and not logged_in(attacker)
    assert LoginRecord.objects.get(outcome=LoginOutcome.CHALLENGED).ip_prefix == "2001:db8:2::/64"


def test_a_staff_not_me_tells_the_security_contacts(staff_user, geo, settings, login,
                                                   django_capture_on_commit_callbacks):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SECURITY_CONTACTS": ["security@shop.example"],
                                 "RISK_POLICY": {"console": {"medium": "notify", "high": "challenge"}}}
    login(browser(), staff_user)
    mail.outbox.clear()
    attacker = browser(FIREFOX_LINUX, ABROAD_IP)
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.post(reverse("admin:login"), {"username": staff_user.username,
                                                          "password": "correct horse battery staple"})
    assert response["Location"] == reverse("secure_shopadmin:risk_code")
    _code, message = mailed_code(staff_user)
    path = NOT_ME_RE.search(message.body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        browser().post(path)
    assert any(m.to == ["security@shop.example"] and "clerk" in m.body for m in mail.outbox)
    assert ResetRequirement.objects.get(user=staff_user).mode == ResetMode.COMPROMISED
