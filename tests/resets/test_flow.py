"""The whole forced-reset flow through the test client: require, mail, link, new password."""

import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from secure_shopadmin import pipeline
from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.resets import services
from secure_shopadmin.resets.models import ResetRequirement

from ..conftest import MEMBER_PASSWORD, STAFF_PASSWORD, enrol_device
from .conftest import console_login, link_path, link_token, open_link, require, storefront_login

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a fresh and long passphrase 42"


def logged_in_member(member):
    client = Client()
    response = storefront_login(client, member.username, MEMBER_PASSWORD)
    assert response.status_code == 302 and SESSION_KEY in client.session
    return client


def test_compromised_makes_password_unusable_and_keeps_only_an_encrypted_snapshot(member):
    old_hash = member.password
    requirement = require(member)
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert requirement.mode == "compromised" and requirement.reason == "breach"
    assert requirement.old_password_wrapped and old_hash not in requirement.old_password_wrapped
    assert services.former_hash(requirement, member) == old_hash
    assert SecurityEvent.objects.filter(kind=EventKind.RESET_REQUIRED, target=member).exists()


def test_old_password_no_longer_logs_in(member):
    require(member)
    client = Client()
    response = storefront_login(client, member.username, MEMBER_PASSWORD)
    assert response.status_code == 200  # the form again, with the generic error
    assert SESSION_KEY not in client.session and pipeline.PARTIAL_KEY not in client.session


def test_requiring_ends_every_session(member):
    first, second = logged_in_member(member), logged_in_member(member)
    assert UserSession.objects.filter(user=member).count() == 2
    require(member)
    assert not UserSession.objects.filter(user=member).exists()
    for client in (first, second):
        response = client.get(reverse("shop:account"))
        assert response.status_code == 302 and SESSION_KEY not in client.session


def test_mail_has_link_and_token_is_stored_only_as_digest(member):
    requirement = require(member)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    token = link_token(message)
    assert token not in requirement.link_digest
    assert requirement.mailed_at is not None and requirement.mail_count == 1
    html = message.alternatives[0][0]
    assert token in html
    assert "What to do" in message.body


def test_mail_is_in_the_users_language(member, settings, monkeypatch):
    monkeypatch.setattr(type(member), "language", "ja", raising=False)
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN}
    require(member)
    assert mail.outbox[-1].subject  # rendered under translation.override("ja"); catalogue by the core


def test_get_on_the_link_changes_nothing(client, member):
    requirement = require(member)
    token = link_token()
    for _ in range(3):  # mail scanners may GET it many times
        response = client.get(link_path(token))
        assert response.status_code == 200 and b"reset-link-form" in response.content
    requirement.refresh_from_db()
    assert requirement.link_used_at is None
    assert pipeline.PARTIAL_KEY not in client.session


def test_link_post_starts_the_reset_step_not_a_login(client, member):
    require(member)
    response = open_link(client, link_token())
    assert response.status_code == 302 and response.url == reverse("secure_shopadmin:reset_password")
    assert SESSION_KEY not in client.session
    partial = client.session[pipeline.PARTIAL_KEY]
    assert partial["step"] == "reset" and partial["facts"]["email_proven"] == "reset_link"
    assert partial["channel"] == "storefront"


def test_new_password_logs_in_and_closes_everything(client, member, django_capture_on_commit_callbacks):
    requirement = require(member)
    open_link(client, link_token())
    outbox_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("secure_shopadmin:reset_password"),
                               {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url.startswith(reverse("secure_shopadmin:reset_done"))
    assert client.session[SESSION_KEY] == str(member.pk)
    requirement.refresh_from_db()
    assert requirement.satisfied_at is not None and requirement.old_password_wrapped == ""
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    changed = [m for m in mail.outbox[outbox_before:] if m.subject.endswith("Your password was changed")]
    assert len(changed) == 1  # one notice, from the alerts, for every deliberate change
    assert SecurityEvent.objects.filter(kind=EventKind.RESET_SATISFIED, target=member).exists()
    assert client.get(reverse("shop:account")).status_code == 200
    # the new password works for a normal login too; no further step
    other = Client()
    assert storefront_login(other, member.username, NEW_PASSWORD).url == reverse("shop:account")


def test_new_password_ends_the_other_sessions(client, member):
    require(member, mode="change")
    before = Client()
    storefront_login(before, member.username, MEMBER_PASSWORD)  # a partial login, not a session
    # a session logged in by the pipeline before any requirement: recorded, then ended by the requirement
    services.cancel(ResetRequirement.objects.filter(user=member))
    survivor = logged_in_member(member)
    require(member)
    open_link(client, link_token())
    client.post(reverse("secure_shopadmin:reset_password"),
                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert UserSession.objects.filter(user=member).count() == 1
    assert survivor.get(reverse("shop:account")).status_code == 302


@pytest.mark.parametrize("password, message", [
    (MEMBER_PASSWORD, b"different from your former one"),
    ("password123", b"leaked in breaches"),
    ("sakura2024", b"leaked in breaches"),
    ("short", b"too short"),
])
def test_refused_new_passwords(client, member, password, message):
    require(member)
    open_link(client, link_token())
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": password, "new_password2": password})
    assert response.status_code == 200 and message in response.content
    assert SESSION_KEY not in client.session
    assert services.pending_requirement(member) is not None


def test_mismatched_confirmation_is_refused(client, member):
    require(member)
    open_link(client, link_token())
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert b"didn" in response.content and SESSION_KEY not in client.session


def test_link_works_once(member):
    require(member)
    token = link_token()
    first, second = Client(), Client()
    assert open_link(first, token).status_code == 302
    response = open_link(second, token)
    assert response.status_code == 404 and b"no longer works" in response.content
    assert pipeline.PARTIAL_KEY not in second.session
    assert open_link(Client(), token).status_code == 404


def test_expired_link_is_refused(client, member, settings):
    requirement = require(member)
    token = link_token()
    ResetRequirement.objects.filter(pk=requirement.pk).update(link_expires_at=requirement.required_at)
    assert client.get(link_path(token)).status_code == 404
    assert open_link(client, token).status_code == 404


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: t + "x",
    lambda t: t[:20],
    lambda t: "x" * 200,
])
def test_tampered_link_is_refused(client, member, tamper):
    require(member)
    token = link_token()
    assert open_link(client, tamper(token)).status_code == 404
    assert services.pending_requirement(member).link_used_at is None


def test_a_link_opens_only_its_own_users_reset(client, member, staff_user):
    other = get_user_model().objects.create_user("member0002", "m2@members.example", "another pass 1234")
    require(member)
    token_member = link_token()
    require(other)
    open_link(client, token_member)
    assert client.session[pipeline.PARTIAL_KEY]["user_id"] == str(member.pk)
    client.post(reverse("secure_shopadmin:reset_password"),
                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert services.pending_requirement(member) is None
    assert services.pending_requirement(other) is not None  # untouched
    other.refresh_from_db()
    assert not other.has_usable_password()


def test_a_newer_mail_voids_the_older_link(client, member):
    requirement = require(member)
    old_token = link_token()
    services.resend_mail(requirement)
    services.send_reset_mails()
    new_token = link_token()
    assert new_token != old_token
    assert open_link(client, old_token).status_code == 404
    assert open_link(client, new_token).status_code == 302


def test_link_of_a_cancelled_or_satisfied_requirement_is_dead(client, member):
    requirement = require(member)
    token = link_token()
    services.cancel(ResetRequirement.objects.filter(pk=requirement.pk))
    assert open_link(client, token).status_code == 404


def test_link_of_an_inactive_user_is_dead(client, member):
    require(member)
    token = link_token()
    get_user_model().objects.filter(pk=member.pk).update(is_active=False)
    assert open_link(client, token).status_code == 404


def test_compromised_step_needs_the_link_even_inside_the_pipeline(rf, client, member):
    """Defensive: a partial login for a compromised user without the link gets the 'check your mail' step."""
    from secure_shopadmin.resets import stage

    requirement = require(member)
    partial = pipeline.PartialLogin(user_id=str(member.pk), backend="x", auth_hash="", channel="storefront",
                                    facts={"email_proven": "enrolment"})
    step = stage.pending_step(None, member, partial)
    assert step.url == reverse("secure_shopadmin:reset_link_needed")
    assert "secure_shopadmin:reset_password" not in step.url_names
    assert step.api_code == "password_reset_required"
    ResetRequirement.objects.filter(pk=requirement.pk).update(link_used_at=requirement.required_at)
    partial.facts["email_proven"] = "reset_link"
    assert stage.pending_step(None, member, partial).url == reverse("secure_shopadmin:reset_password")


def test_reset_page_without_the_step_is_refused(client, member):
    require(member)
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.has_usable_password()


def test_change_mode_asks_for_a_new_password_after_login(client, member):
    requirement = require(member, mode="change")
    member.refresh_from_db()
    assert member.check_password(MEMBER_PASSWORD)
    assert mail.outbox[-1].subject.endswith("You will be asked for a new password")
    response = storefront_login(client, member.username, MEMBER_PASSWORD)
    assert response.url == reverse("secure_shopadmin:reset_password")
    assert client.get(reverse("shop:account")).url == reverse("secure_shopadmin:reset_password")
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": MEMBER_PASSWORD, "new_password2": MEMBER_PASSWORD})
    assert b"different from your former one" in response.content
    client.post(reverse("secure_shopadmin:reset_password"),
                {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.session[SESSION_KEY] == str(member.pk)
    requirement.refresh_from_db()
    assert requirement.satisfied_at is not None


def test_superuser_is_not_skipped(client, superuser):
    totp = enrol_device(superuser)
    require(superuser, mode="change")
    response = console_login(client, "owner", STAFF_PASSWORD)
    assert response.url == reverse("secure_shopadmin:twofactor_verify")
    response = client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": totp.now()})
    assert response.url == reverse("secure_shopadmin:reset_password")
    for path in ("/admin/", "/admin/auth/user/", "/admin/secure_shopadmin/resetrequirement/"):
        assert client.get(path).url == reverse("secure_shopadmin:reset_password")
        assert client.post(path).url == reverse("secure_shopadmin:reset_password")


def test_staff_passes_the_second_factor_before_the_new_password(client, staff_user, staff_totp):
    require(staff_user)
    response = open_link(client, link_token())
    assert response.url == reverse("secure_shopadmin:twofactor_verify")
    assert client.session[pipeline.PARTIAL_KEY]["channel"] == "console"
    # the new-password page is out of reach until the code
    assert client.get(reverse("secure_shopadmin:reset_password")).url == reverse("secure_shopadmin:twofactor_verify")
    response = client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": staff_totp.now()})
    assert response.url == reverse("secure_shopadmin:reset_password")
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("admin:index")
    assert client.session[pipeline.MARKER_KEY]["verified"] is True
    assert client.get(reverse("admin:index")).status_code == 200


def test_api_paths_get_json_403(client, member):
    require(member, mode="change")
    storefront_login(client, member.username, MEMBER_PASSWORD)
    for method in ("get", "post", "delete"):
        response = getattr(client, method)("/api/orders/")
        assert response.status_code == 403 and response.json() == {"code": "password_reset_required"}


def test_resend_form_never_tells(client, member):
    require(member)
    sent = len(mail.outbox)
    page_known = client.post(reverse("secure_shopadmin:reset_resend"), {"email": member.email})
    page_unknown = client.post(reverse("secure_shopadmin:reset_resend"), {"email": "nobody@nowhere.example"})
    assert page_known.status_code == page_unknown.status_code == 200
    def without_csrf(content):
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)

    assert without_csrf(page_known.content) == without_csrf(page_unknown.content)
    assert b"at most one every 15 minutes" in page_known.content and b"on its way" not in page_known.content
    assert len(mail.outbox) == sent  # within RESEND_INTERVAL of the first mail: nothing new


def test_resend_form_mails_a_new_link_after_the_interval(client, member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "RESET_LINK_RESEND_INTERVAL": 0}
    require(member)
    old_token = link_token()
    client.post(reverse("secure_shopadmin:reset_resend"), {"email": member.email.upper()})
    assert link_token() != old_token
    assert open_link(Client(), old_token).status_code == 404


def test_get_and_post_need_csrf(csrf_client, member):
    require(member)
    response = csrf_client.post(link_path(link_token()))
    assert response.status_code == 403
    assert services.pending_requirement(member).link_used_at is None


def test_a_members_finished_reset_says_the_password_was_changed(client, member):
    require(member)
    open_link(client, link_token())
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    done = reverse("secure_shopadmin:reset_done")
    assert response.status_code == 302 and response.url == f"{done}?next=%2Faccount%2F"
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>Your password was changed</h1>" in html
    assert f'href="{reverse("shop:account")}" class="button" id="continue"' in html
    assert "Turn on two-factor authentication" in html and 'id="step-history"' in html
    assert 'id="step-new-password"' not in html
    # where the page goes on to stays on this site; without a login it is the login page
    elsewhere = client.get(f"{done}?next=https://evil.example/").content.decode()
    assert f'href="{reverse("shop:account")}" class="button" id="continue"' in elsewhere  # LOGIN_REDIRECT_URL
    assert Client().get(done).url.startswith(reverse("shop:login"))


def test_a_staff_members_finished_reset_says_so_on_the_admin_index(client, staff_user, staff_totp):
    require(staff_user)
    open_link(client, link_token())
    client.post(reverse("secure_shopadmin:twofactor_verify"), {"otp_token": staff_totp.now()})
    response = client.post(reverse("secure_shopadmin:reset_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "Your password was changed. You are now logged in." in response.content.decode()
