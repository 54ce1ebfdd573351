"""The campaign's mails through a real SMTP server that answers 451 to every 7th message and drops the
connection once: every target gets exactly one mail, each temporary failure is retried and counted;
a permanent refusal (550) is recorded per address and exported, never retried."""

import smtplib

import pytest
from django.contrib.auth import get_user_model

from secure_shopadmin.campaigns import runner, services, targets
from secure_shopadmin.campaigns.sending import PERMANENT, TEMPORARY, UNCERTAIN, failure_kind
from secure_shopadmin.resets.models import MailState
from tests.mailers import use_mail_backend

from .conftest import seed_members
from .smtp_server import SMTPServer, free_port

pytestmark = pytest.mark.django_db
User = get_user_model()
PORT = free_port()


@pytest.fixture
def smtp(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_MAIL_RETRY_SECONDS": 0.01}
    use_mail_backend(settings, "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=PORT,
                     timeout=10)
    with SMTPServer(PORT) as server:
        yield server.handler


def test_every_target_gets_exactly_one_mail_through_a_flaky_server(campaign, smtp):
    members = seed_members(40)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    campaign.wrap_hashes = False
    campaign.save()
    services.apply(campaign)
    report = runner.run(campaign, batch_size=15)
    assert smtp.accepted == {m.email: 1 for m in members}
    assert smtp.refused >= 5 and smtp.dropped == 1
    assert report.sent == 40 and report.failed == 0 and report.uncertain == []
    assert report.retried == smtp.refused + smtp.dropped  # each temporary failure tried again, and counted
    mails = runner.campaign_mails(campaign)
    assert mails.filter(state=MailState.SENT).count() == 40
    assert sum(mails.values_list("attempts", flat=True)) == 40 + report.retried
    assert campaign.targets.filter(mailed_at__isnull=True).count() == 0
    seconds = report.seconds
    assert set(seconds) == {"contain", "mail"}


def test_a_permanent_refusal_is_recorded_per_address_and_not_retried(campaign, smtp):
    members = seed_members(6)
    User.objects.filter(pk=members[2].pk).update(email="gone@members.example")
    smtp.refuse_every, smtp.drop_at_recipient = 0, 0

    async def refuse_gone(server, session, envelope, address, rcpt_options):
        if address == "gone@members.example":
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.handle_RCPT = refuse_gone
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    report = runner.run(campaign)
    assert report.sent == 5 and report.failed == report.permanent == 1 and report.retried == 0
    assert [row["email"] for row in report.failed_addresses] == ["gone@members.example"]
    assert report.failed_addresses[0]["error"].startswith("permanent: SMTPRecipientsRefused")
    again = runner.run(campaign)  # a permanent failure is not queued again
    assert again.sent == again.requeued == 0 and len(again.failed_addresses) == 1
    (row,) = services.failed_mail_rows(campaign)  # the admin's "failed addresses" export
    assert row[:2] == (members[2].username, "gone@members.example") and row[2].startswith("permanent: ")


def test_failures_are_sorted_by_what_the_server_said():
    assert failure_kind(smtplib.SMTPDataError(451, b"try later")) == TEMPORARY
    assert failure_kind(smtplib.SMTPDataError(554, b"rejected")) == PERMANENT
    assert failure_kind(smtplib.SMTPRecipientsRefused({"a@x": (450, b"busy")})) == TEMPORARY
    assert failure_kind(smtplib.SMTPRecipientsRefused({"a@x": (550, b"unknown")})) == PERMANENT
    assert failure_kind(ConnectionRefusedError()) == TEMPORARY
    assert failure_kind(ConnectionResetError()) == TEMPORARY

    class Server(smtplib.SMTP):
        def getreply(self):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

        def putcmd(self, cmd, args=""):
            pass

        def send(self, data):
            pass

    try:
        Server().data(b"message")  # lost while the message was on its way: it may have arrived
    except smtplib.SMTPServerDisconnected as error:
        assert failure_kind(error) == UNCERTAIN
    try:
        Server().rcpt("a@x")
    except smtplib.SMTPServerDisconnected as error:
        assert failure_kind(error) == TEMPORARY
