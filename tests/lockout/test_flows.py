"""The code budget, the unlock link, other login paths, IPs, admin, reset and commands."""

import re
from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin import pipeline
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core import links
from secure_shopadmin.lockout import ip, keys, services
from secure_shopadmin.lockout.models import Counter, GuardNotice, UnlockLink

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD
from .conftest import attempt, guard

pytestmark = pytest.mark.django_db
VERIFY = reverse("secure_shopadmin:twofactor_verify")
A, B = "198.51.100.66", "192.0.2.10"


def wrong(totp):
    return "000000" if totp.now() != "000000" else "111111"


def to_code_step(ip_address):
    client = Client()
    assert attempt("clerk", STAFF_PASSWORD, client=client, ip_address=ip_address).url == VERIFY
    return client


@pytest.mark.usefixtures("store")
def test_code_budget_locks_the_account_and_ip_only_ends_the_session_and_mails(
        staff_user, staff_totp, frozen, mailoutbox):
    attacker = to_code_step(A)
    for _ in range(4):
        page = attacker.post(VERIFY, {"otp_token": wrong(staff_totp)}, REMOTE_ADDR=A)
        assert page.status_code == 200 and "not valid" in page.content.decode()
    locked = attacker.post(VERIFY, {"otp_token": wrong(staff_totp)}, REMOTE_ADDR=A)  # the 5th
    assert locked.status_code == 429 and "Too many wrong codes" in locked.content.decode()
    assert pipeline.PARTIAL_KEY not in attacker.session  # the half-logged-in session is over
    assert len(mailoutbox) == 1 and "wrong codes" in mailoutbox[0].subject
    again = to_code_step(A)
    assert again.post(VERIFY, {"otp_token": staff_totp.now()}, REMOTE_ADDR=A).status_code == 429
    victim = to_code_step(B)  # the real user elsewhere still enters codes
    assert victim.post(VERIFY, {"otp_token": staff_totp.now()}, REMOTE_ADDR=B).status_code == 302
    assert SESSION_KEY in victim.session
    frozen.advance(minutes=15)
    late = to_code_step(A)
    assert late.post(VERIFY, {"otp_token": wrong(staff_totp)}, REMOTE_ADDR=A).status_code == 200
    assert len(mailoutbox) == 1  # at most one such mail an hour
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKOUT, details__rule="otp").count() == 1


def test_wrong_codes_do_not_count_against_the_password(staff_user, staff_totp, frozen):
    client = to_code_step(A)
    for _ in range(4):
        client.post(VERIFY, {"otp_token": wrong(staff_totp)}, REMOTE_ADDR=A)
    assert not Counter.objects.filter(rule="pair", failures__gt=0).exists()


def unlock_url(mail):
    """The path of the mailed unlock link, which starts with SITE_URL (never the request's host)."""
    base = re.escape(links.base_url())
    return re.search(base + r"(/security/unlock/[\w-]+/)", mail.body).group(1)


@pytest.mark.usefixtures("no_two_factor")
def test_unlock_link_works_once_and_frees_only_its_browser(staff_user, frozen, settings, mailoutbox):
    guard(settings, ACCOUNT_LOCK_AFTER=3, ACCOUNT_DELAY_AFTER=50)
    for _ in range(3):
        attempt("clerk", "wrong", ip_address=A)
    assert len(mailoutbox) == 1
    url = unlock_url(mailoutbox[0])
    owner = Client()
    page = owner.get(url)
    assert page.status_code == 200 and 'id="unlock-form"' in page.content.decode()
    assert UnlockLink.objects.get().used_at is None  # GET changes nothing
    assert owner.post(url, REMOTE_ADDR=A).status_code == 302
    assert Client().post(url).status_code == 429  # spent: the same page as a locked login
    assert Client().post("/security/unlock/not-a-token/").status_code == 429
    assert attempt("clerk", STAFF_PASSWORD, ip_address=A).status_code == 429  # other browsers stay locked
    assert attempt("clerk", STAFF_PASSWORD, ip_address=B).status_code == 429
    assert attempt("clerk", STAFF_PASSWORD, client=owner, ip_address=A).status_code == 302
    assert SESSION_KEY in owner.session
    assert SecurityEvent.objects.filter(kind=EventKind.UNLOCK, target=staff_user).exists()
    for _ in range(4):  # no second mail within the hour
        attempt("clerk", "wrong", ip_address="203.0.113.9")
    assert len(mailoutbox) == 1


@pytest.mark.usefixtures("no_two_factor")
def test_completed_password_reset_lifts_the_accounts_locks(staff_user, frozen, settings):
    from secure_shopadmin.resets import signals

    guard(settings, ACCOUNT_LOCK_AFTER=3, ACCOUNT_DELAY_AFTER=50)
    for _ in range(3):
        attempt("clerk", "wrong", ip_address=A)
    signals.reset_satisfied.send(sender=None, requirement=None, user=staff_user, request=None)
    assert attempt("clerk", STAFF_PASSWORD, ip_address=B).status_code == 302


def test_basic_auth_api_is_guarded_counted_once_and_success_costs_no_slot(member, frozen, settings, hasher_calls):
    import base64

    settings.ROOT_URLCONF = "tests.resets.urls_api"

    def basic(password):
        raw = base64.b64encode(f"member0001:{password}".encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {raw}", "REMOTE_ADDR": A}

    for _ in range(6):  # right credentials never use up the budget
        assert Client().get("/api/me/", **basic(MEMBER_PASSWORD)).status_code == 200
    hasher_calls.clear()
    codes = [Client().get("/api/me/", **basic("wrong")).status_code for _ in range(6)]
    assert codes[:4] == [403, 403, 403, 403] and codes[4:] == [429, 429]
    assert len(hasher_calls) == 5  # counted once per attempt; the 6th was refused before hashing
    response = Client().get("/api/me/", **basic(MEMBER_PASSWORD))
    assert response.status_code == 429 and response.json()["code"] == "too_many_attempts"


def test_storefront_login_goes_through_the_guard(member, frozen):
    for _ in range(5):
        attempt("member0001", "wrong", url=reverse("shop:login"), ip_address=A)
    assert attempt("member0001", MEMBER_PASSWORD, url=reverse("shop:login"), ip_address=A).status_code == 429


def test_no_code_password_or_token_reaches_the_attempt_logs(staff_user, staff_totp, frozen, caplog):
    from axes.models import AccessAttempt

    for _ in range(5):
        attempt("clerk", "s3cret-wrong-pw", ip_address=A)
    client = to_code_step(B)
    client.post(VERIFY, {"otp_token": "424242"}, REMOTE_ADDR=B)
    stored = repr(list(Counter.objects.values())) + repr(list(AccessAttempt.objects.values()))
    stored += repr(list(SecurityEvent.objects.values()))
    for secret in ("s3cret-wrong-pw", "424242", STAFF_PASSWORD):
        assert secret not in stored and secret not in caplog.text


# --- keys and IPs ----------------------------------------------------------------------------------

def test_cache_keys_separate_their_parts():
    assert keys.cache_key("pair", "a:b", "c", "n") != keys.cache_key("pair", "a", "b:c", "n")
    assert keys.cache_key("pair", "a", "", "n") != keys.cache_key("pair", "", "a", "n")


def test_username_normalisation():
    assert keys.normalise_username("  Bob@Shop.EXAMPLE ") == "bob@shop.example"
    assert keys.normalise_username("ｃｌｅｒｋ") == "clerk"
    assert keys.normalise_username("a" * 500).startswith("sha256:")


def meta_request(remote, forwarded=None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_header_is_ignored_and_noted_once_without_trusted_proxies(caplog):
    assert ip.client_ip(meta_request("10.0.0.1", "6.6.6.6")) == "10.0.0.1"
    assert ip.client_ip(meta_request("10.0.0.1", "7.7.7.7")) == "10.0.0.1"
    assert caplog.text.count("LOCKOUT_TRUSTED_PROXIES") == 1
    assert GuardNotice.objects.filter(code=ip.NOTICE_FORWARDED_UNTRUSTED).exists()


def test_forwarded_header_is_read_from_the_right_past_trusted_proxies(settings):
    guard(settings, TRUSTED_PROXIES=["10.0.0.0/8"])
    assert ip.client_ip(meta_request("10.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.1.1")) == "203.0.113.5"
    assert ip.client_ip(meta_request("192.0.2.1", "6.6.6.6")) == "192.0.2.1"  # not from our proxy
    assert ip.client_ip(meta_request("10.0.0.1", "garbage, 10.2.2.2")) == "10.2.2.2"
    assert ip.counting_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert ip.counting_key("::ffff:192.0.2.4") == "192.0.2.4"


# --- admin, commands, checks -----------------------------------------------------------------------

def test_admin_lists_locks_and_unlocks_with_an_audit_event(superuser, staff_user, frozen):
    from secure_shopadmin.testing import pipeline_login

    for _ in range(5):
        attempt("clerk", "wrong", ip_address=A)
    GuardNotice.objects.create(code=ip.NOTICE_FORWARDED_UNTRUSTED, first_seen=frozen(), last_seen=frozen())
    admin_client = pipeline_login(Client(), superuser)
    url = reverse("admin:secure_shopadmin_counter_changelist")
    page = admin_client.get(url).content.decode()
    assert "this account from this IP" in page and A in page and "X-Forwarded-For" in page
    lock = Counter.objects.get(rule="pair")
    response = admin_client.post(url, {"action": "unlock", "_selected_action": [lock.pk]})
    assert response.status_code == 302
    assert not Counter.objects.filter(pk=lock.pk).exists()
    assert SecurityEvent.objects.filter(kind=EventKind.UNLOCK, details__rule="pair", actor=superuser).exists()
    assert attempt("clerk", "wrong", ip_address=A).status_code == 200


def test_axes_reset_commands_and_prune(staff_user, frozen):
    for _ in range(5):
        attempt("clerk", "wrong", ip_address=A)
    out = StringIO()
    call_command("axes_list_attempts", stdout=out)
    assert "clerk" in out.getvalue()
    call_command("axes_reset_username", "Clerk", stdout=StringIO())
    assert attempt("clerk", "wrong", ip_address=A).status_code == 200
    frozen.advance(days=40)
    out = StringIO()
    call_command("prune_lockout", stdout=out)
    assert "counters: " in out.getvalue() and not Counter.objects.filter(rule="pair").exists()


def test_checks_pass_on_the_example_settings_and_catch_a_wrong_handler(settings):
    from secure_shopadmin.lockout.checks import check_lockout

    assert check_lockout() == []
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    assert [e.id for e in check_lockout()] == ["secure_shopadmin.E030"]


def test_services_report_the_refusal_before_any_row_is_written(db, frozen):
    from django.test import RequestFactory

    request = RequestFactory().post("/", REMOTE_ADDR=A)
    assert services.reserve_password(request, "ghost").retry_after == 0
    assert Counter.objects.filter(rule="account", username="ghost", failures=1).exists()
