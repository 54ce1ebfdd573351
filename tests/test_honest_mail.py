"""Honest mail: a page says a mail left only when it did; a failure is said and logged (with the outbox row)."""

import io
import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from secure_shopadmin.resets import services as resets
from secure_shopadmin.resets.models import MailState, OutgoingMail
from secure_shopadmin.testing import pipeline_login
from secure_shopadmin.twofactor.models import EnrolmentLink
from tests.mailers import use_mail_backend

from .conftest import MEMBER_PASSWORD, STAFF_PASSWORD

pytestmark = pytest.mark.django_db
FAILING = "tests.campaigns.failing_mail.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
COULD_NOT = "We could not send the mail; try again later or contact the shop."


def console_login(client, username="clerk"):
    return client.post(reverse("admin:login"), {"username": username, "password": STAFF_PASSWORD})


def test_enrolment_mail_that_fails_is_said_logged_and_retried(client, staff_user, settings, caplog):
    use_mail_backend(settings, FAILING)
    with caplog.at_level(logging.ERROR, logger="secure_shopadmin.core.mail"):
        response = console_login(client)
    page = client.get(response.url).content.decode()
    assert COULD_NOT in page and "We have sent" not in page
    assert f"Could not send the enrolment_link mail to user {staff_user.pk}" in caplog.text
    assert EnrolmentLink.objects.get().mailed_at is None
    # the mail server works again: the next login mails a link at once (a failed mail throttles nothing)
    use_mail_backend(settings, LOCMEM)
    response = console_login(Client())
    assert len(mail.outbox) == 1
    client = Client()
    page = client.get(console_login(client).url).content.decode()
    assert "less than 10 minutes ago" in page and "We have sent" not in page and COULD_NOT not in page
    assert len(mail.outbox) == 1  # throttled: nothing new, and the page does not claim a new mail


def test_debug_with_the_console_backend_points_to_the_terminal(client, staff_user, settings, capsys):
    settings.DEBUG = True
    use_mail_backend(settings, "django.core.mail.backends.console.EmailBackend")
    page = client.get(console_login(client).url).content.decode()
    assert 'id="mail-on-console"' in page and "We have sent a link" in page
    assert "/security/2fa/link/" in capsys.readouterr().out  # the developer sees the link in the terminal


def test_the_console_hint_is_only_for_debug(client, staff_user, settings):
    use_mail_backend(settings, "django.core.mail.backends.console.EmailBackend")
    assert 'id="mail-on-console"' not in client.get(console_login(client).url).content.decode()


def test_a_failed_reset_mail_is_logged_with_its_outbox_row(member, settings, caplog):
    use_mail_backend(settings, FAILING)
    resets.require_reset([member.pk], reason="phishing report")
    with caplog.at_level(logging.ERROR, logger="secure_shopadmin.resets.outbox"):
        report = resets.send_reset_mails()
    row = OutgoingMail.objects.get()
    assert report.failed == 1 and row.state == MailState.FAILED and "mail server down" in row.last_error
    assert f"outgoing mail {row.pk} (reset_link to user {member.pk}, attempt 1) failed" in caplog.text
    assert "ConnectionRefusedError: mail server down" in caplog.text
    assert resets.last_mail_state(resets.pending_requirement(member)) == MailState.FAILED


def test_the_email_change_page_says_when_the_link_could_not_be_sent(client, member, settings):
    pipeline_login(client, member)
    use_mail_backend(settings, FAILING)
    response = client.post(reverse("secure_shopadmin:email_change"),
                           {"email": "new@members.example", "password": MEMBER_PASSWORD}, follow=True)
    page = response.content.decode()
    assert COULD_NOT in page and "We have sent a link" not in page


def test_twofactor_link_command_says_the_link_was_not_mailed(staff_user, settings):
    use_mail_backend(settings, FAILING)
    out = io.StringIO()
    with pytest.raises(CommandError, match="NOT mailed"):
        call_command("twofactor_link", "clerk", "--mail", stdout=out, stderr=io.StringIO())
    assert "/security/2fa/link/" in out.getvalue()  # the operator can still hand the link over


def test_the_admin_says_when_an_enrolment_link_could_not_be_mailed(client, superuser, staff_user, settings):
    pipeline_login(client, superuser)
    use_mail_backend(settings, FAILING)
    url = reverse("admin:auth_user_two_factor_link", args=[staff_user.pk])
    page = client.post(url, {"reason": "new phone"}, follow=True).content.decode()
    assert "could not be mailed" in page and "was mailed to the user" not in page


def no_site_url(settings):
    settings.SECURE_SHOPADMIN = {k: v for k, v in settings.SECURE_SHOPADMIN.items()
                                 if k not in ("SITE_URL", "RESET_BASE_URL")}


def test_twofactor_link_without_site_url_says_so_and_leaves_no_row(staff_user, settings):
    no_site_url(settings)
    with pytest.raises(CommandError, match='SITE_URL'):
        call_command("twofactor_link", "clerk", "--mail", stdout=io.StringIO(), stderr=io.StringIO())
    assert not EnrolmentLink.objects.exists() and len(mail.outbox) == 0


def test_force_password_reset_notify_without_site_url_changes_nothing(member, settings):
    from secure_shopadmin.resets.models import ResetRequirement

    no_site_url(settings)
    password = member.password
    with pytest.raises(CommandError, match="SITE_URL.*Nothing was changed"):
        call_command("force_password_reset", "--usernames", "member0001", "--reason", "phishing", "--notify",
                     "--no-progress", stdout=io.StringIO())
    member.refresh_from_db()
    assert member.password == password and not ResetRequirement.objects.exists() and not OutgoingMail.objects.exists()
    out = io.StringIO()  # a dry run only warns
    call_command("force_password_reset", "--usernames", "member0001", "--notify", "--dry-run", "--no-progress",
                 stdout=out)
    assert "SITE_URL" in out.getvalue() and "would require 1" in out.getvalue()
    # --base-url stands in for SITE_URL
    call_command("force_password_reset", "--usernames", "member0001", "--reason", "phishing", "--notify",
                 "--base-url", "https://shop.example", "--no-progress", stdout=io.StringIO())
    assert "https://shop.example/security/reset/link/" in mail.outbox[-1].body


def test_send_queued_without_site_url_leaves_the_mails_queued(member, settings):
    resets.require_reset([member.pk], reason="phishing report")  # queued, no base URL of its own
    no_site_url(settings)
    with pytest.raises(CommandError, match="stay queued"):
        call_command("force_password_reset", "--send-queued", "--no-progress", stdout=io.StringIO())
    assert OutgoingMail.objects.get().state == MailState.QUEUED and OutgoingMail.objects.get().attempts == 0


def test_run_campaign_without_site_url_does_nothing(superuser, member, settings):
    from secure_shopadmin.campaigns import services as campaigns
    from secure_shopadmin.campaigns import targets

    campaign = campaigns.create("May", reason="breach", actor=superuser)
    targets.add_upload(campaign, [b"member0001\n"], label="leaked.txt", actor=superuser)
    no_site_url(settings)
    with pytest.raises(CommandError, match="SITE_URL"):
        call_command("run_campaign", str(campaign.pk), "--apply", "--no-progress", stdout=io.StringIO())
    campaign.refresh_from_db()
    assert campaign.state == "draft" and not resets.pending_requirement(member)
