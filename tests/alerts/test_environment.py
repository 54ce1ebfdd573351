"""When a login's environment is familiar, and when an alert is mailed (the issue's acceptance list)."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation

from secure_shopadmin.alerts import alerting, environment, signals
from secure_shopadmin.alerts.models import AlertDecision, EnvironmentAlert, LoginRecord
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import KnownDevice, UserSession
from secure_shopadmin.pipeline import PartialLogin

from .conftest import (
    CHROME_120_WINDOWS,
    CHROME_121_WINDOWS,
    FIREFOX_LINUX,
    HOME_IP_2,
    NOT_ME_RE,
    OTHER_IP,
    SAFARI_IPHONE,
    THIRD_IP,
    WAS_ME_RE,
    alert_mails,
    browser,
    link_path,
)

pytestmark = pytest.mark.django_db


def test_first_login_of_an_account_is_learned_silently(member, login):
    record = login(browser(), member)
    assert record.new_environment is True and record.alert == AlertDecision.FIRST_LOGIN
    assert not alert_mails(member) and not EnvironmentAlert.objects.exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.ALERT).exists()


def test_failed_attempts_do_not_make_the_first_success_alert(staff_user, login, no_two_factor, client):
    client.post(reverse("admin:login"), {"username": staff_user.username, "password": "wrong"},
                HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR=OTHER_IP)
    assert LoginRecord.objects.filter(user=staff_user, outcome="failed").count() == 1
    record = login(browser(), staff_user)
    assert record.alert == AlertDecision.FIRST_LOGIN and not mail.outbox


def test_same_browser_again_does_not_alert(known_member, login):
    same = browser()
    login(same, known_member)  # the fixture's client is gone; this one gets its own cookie
    record = login(same, known_member)
    assert record.new_environment is False and record.alert == AlertDecision.FAMILIAR
    assert not alert_mails(known_member)


def test_browser_version_bump_does_not_alert(known_member, login):
    record = login(browser(CHROME_121_WINDOWS), known_member)  # and no cookie: the browser+OS+network rule
    assert (record.browser, record.browser_version, record.os) == ("Chrome", "121", "Windows")
    assert record.new_environment is False and not alert_mails(known_member)


def test_known_cookie_is_familiar_from_anywhere_after_an_update(member, login):
    first = browser()
    login(first, member)
    first.defaults.update(HTTP_USER_AGENT=CHROME_121_WINDOWS, REMOTE_ADDR=OTHER_IP)  # travelling, updated
    record = login(first, member)
    assert record.new_environment is False and not alert_mails(member)


def test_new_browser_on_a_new_network_sends_one_alert(known_member, login):
    record = login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    assert record.new_environment is True and record.alert == AlertDecision.SENT
    [message] = alert_mails(known_member)
    assert message.alternatives and "/security/alerts/" in message.alternatives[0][0]
    assert OTHER_IP in message.body and "Firefox" in message.body and "Linux" in message.body
    assert "the shop" in message.body and "Asia/Tokyo" in message.body
    assert WAS_ME_RE.search(message.body) and NOT_ME_RE.search(message.body)
    assert EnvironmentAlert.objects.get().record == record
    event = SecurityEvent.objects.get(kind=EventKind.ALERT)
    assert event.target == known_member and event.details["decision"] == "sent"


def test_tokens_are_stored_only_as_digests(known_member, login):
    login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    alert = EnvironmentAlert.objects.get()
    for pattern in (WAS_ME_RE, NOT_ME_RE):
        token = link_path(pattern).split("/")[-3]
        assert token not in (alert.confirm_digest, alert.deny_digest)
        assert not LoginRecord.objects.filter(session_digest__contains=token).exists()


def test_lost_cookie_on_the_same_browser_and_network_does_not_alert(known_member, login):
    record = login(browser(ip=HOME_IP_2), known_member)  # new client: no device cookie; same /24
    assert record.new_environment is False and not alert_mails(known_member)


def test_two_logins_from_the_same_new_environment_send_one_alert(known_member, login):
    laptop = browser(FIREFOX_LINUX, OTHER_IP)
    login(laptop, known_member)
    login(laptop, known_member)  # with the cookie it got
    login(browser(FIREFOX_LINUX, OTHER_IP), known_member)  # and without it
    assert len(alert_mails(known_member)) == 1
    assert list(LoginRecord.objects.filter(user=known_member).order_by("pk").values_list("alert", flat=True)) == [
        "first_login", "sent", "familiar", "familiar"]


def test_same_browser_on_a_new_network_without_cookie_alerts(known_member, login):
    record = login(browser(CHROME_120_WINDOWS, OTHER_IP), known_member)
    assert record.new_environment is True and len(alert_mails(known_member)) == 1


def test_alerts_are_rate_limited_per_user(known_member, login, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "ALERT_LIMIT": 2}
    decisions = [login(browser(ua, ip), known_member).alert for ua, ip in (
        (FIREFOX_LINUX, OTHER_IP), (SAFARI_IPHONE, THIRD_IP), (FIREFOX_LINUX, THIRD_IP))]
    assert decisions == ["sent", "sent", "rate_limited"]
    assert len(alert_mails(known_member)) == 2
    assert SecurityEvent.objects.filter(kind=EventKind.ALERT).count() == 3


def test_alerts_off_still_records(known_member, login, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOGIN_ALERTS": False}
    record = login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    assert record.new_environment is True and record.alert == AlertDecision.DISABLED and not mail.outbox


def test_a_disowned_login_never_makes_its_environment_familiar(known_member, login):
    record = login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    LoginRecord.objects.filter(pk=record.pk).update(disowned_at=timezone.now())
    KnownDevice.objects.filter(user=known_member, device_digest=record.device_digest).delete()
    again = login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    assert again.new_environment is True and again.alert == AlertDecision.SENT


def test_staff_alert_also_tells_the_security_contacts(staff_user, login, no_two_factor):
    login(browser(), staff_user)
    login(browser(FIREFOX_LINUX, OTHER_IP), staff_user)
    [user_mail] = alert_mails(staff_user)
    assert "management console" in user_mail.body
    [contacts] = [m for m in mail.outbox if m.to == ["security@shop.example"]]
    assert staff_user.username in contacts.subject and OTHER_IP in contacts.body
    assert "/security/alerts/" not in contacts.body  # the links are the user's alone


def test_member_alert_does_not_tell_the_security_contacts(known_member, login):
    login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    assert all(m.to == [known_member.email] for m in mail.outbox)


def test_alert_time_is_in_the_shops_time_zone(known_member, login):
    record = login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    local = timezone.localtime(record.created_at, timezone.get_default_timezone())
    with translation.override("en"):
        expected = dateformat.format(local, formats.get_format("DATETIME_FORMAT"))
    assert f"{expected} (Asia/Tokyo)" in alert_mails(known_member)[0].body


def test_alert_is_in_the_users_language(known_member, login, monkeypatch):
    monkeypatch.setattr(type(known_member), "language", "ja", raising=False)
    login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    message = alert_mails(known_member)[0]
    assert "年" in message.body  # Japanese date format, whatever the catalogue holds


def test_signal_fires_for_a_new_environment_only(known_member, login):
    seen = []

    def listener(sender, request, user, record, **kwargs):
        seen.append(record.alert)

    signals.new_environment_login.connect(listener)
    try:
        login(browser(), known_member)
        login(browser(FIREFOX_LINUX, OTHER_IP), known_member)
    finally:
        signals.new_environment_login.disconnect(listener)
    assert seen == ["sent"]


def test_login_through_a_mailed_link_is_learned_silently(member):
    partial = PartialLogin(user_id=str(member.pk), backend="", auth_hash="", channel="storefront",
                           facts={"email_proven": "reset_link"})
    assert alerting.decide(member, partial, first_login=False) == AlertDecision.MAIL_PROVEN


def test_record_holds_the_environment_and_no_secret(known_member, login):
    client = browser(FIREFOX_LINUX, OTHER_IP)
    record = login(client, known_member)
    assert record.ip == OTHER_IP and record.ip_prefix == "198.51.100.0/24" and record.channel == "storefront"
    assert record.user_agent == FIREFOX_LINUX and (record.browser, record.os) == ("Firefox", "Linux")
    key = client.session.session_key
    assert key not in record.session_digest and record.sessions.get().key_digest == record.session_digest
    assert record.device_digest and record.device_digest not in client.cookies["ssa_device"].value


@pytest.mark.parametrize("ip, prefix", [
    ("203.0.113.9", "203.0.113.0/24"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.9", "203.0.113.0/24"),
    ("", ""),
    ("not an ip", ""),
])
def test_ip_prefix(ip, prefix):
    assert environment.ip_prefix(ip) == prefix


def test_later_requests_cost_no_query_from_the_login_record(member, login, settings):
    def queries_of_a_later_request():
        client = browser()
        login(client, member)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("shop:account")).status_code == 200
        return len(captured), LoginRecord.objects.count()

    with_history, records_before = queries_of_a_later_request()
    assert LoginRecord.objects.count() == records_before  # the request wrote no record
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOGIN_HISTORY": False}
    without_history, _ = queries_of_a_later_request()
    assert with_history == without_history


def test_history_off_keeps_the_session_registry(member, login, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "LOGIN_HISTORY": False}
    assert login(Client(), member) is None and not LoginRecord.objects.exists()
    assert UserSession.objects.filter(user=member).count() == 1
