"""The outgoing-mail state machine: failures recorded and retried, a killed run never resends."""

import pytest
from django.core import mail

from secure_shopadmin.resets import outbox, services
from secure_shopadmin.resets.models import MailState, OutgoingMail
from tests.mailers import use_mail_backend

pytestmark = pytest.mark.django_db


class FailingBackend:
    """An SMTP server that is down: every send raises (a real backend class, configured by settings)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_failure_is_recorded_then_retried(member, settings):
    services.require_reset([member.pk], reason="x")
    use_mail_backend(settings, "tests.resets.test_outbox.FailingBackend")
    report = services.send_reset_mails()
    assert report.failed == 1 and report.sent == 0
    row = OutgoingMail.objects.get()
    assert row.state == MailState.FAILED and row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert services.pending_requirement(member).mailed_at is None
    use_mail_backend(settings, "django.core.mail.backends.locmem.EmailBackend")
    report = services.send_reset_mails()
    assert report.requeued == 1 and report.sent == 1
    row.refresh_from_db()
    assert row.state == MailState.SENT and row.attempts == 2 and row.last_error == ""
    assert len(mail.outbox) == 1


def test_failed_mail_stops_after_max_attempts(member, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "MAIL_MAX_ATTEMPTS": 2}
    use_mail_backend(settings, "tests.resets.test_outbox.FailingBackend")
    services.require_reset([member.pk], reason="x")
    for _ in range(4):
        services.send_reset_mails()
    assert OutgoingMail.objects.get().attempts == 2


def test_a_killed_run_leaves_sending_rows_that_are_listed_never_resent(member):
    services.require_reset([member.pk], reason="x")
    row = OutgoingMail.objects.get()
    assert outbox.claim(row.pk)  # the run claimed it... and was killed before marking it
    report = services.send_reset_mails()
    assert report.sent == 0 and len(mail.outbox) == 0
    assert [r.pk for r in report.uncertain] == [row.pk]


def test_command_lists_uncertain_mails(member):
    import io

    from django.core.management import call_command

    services.require_reset([member.pk], reason="x")
    outbox.claim(OutgoingMail.objects.get().pk)
    out = io.StringIO()
    call_command("force_password_reset", "--send-queued", "--no-progress", stdout=out)
    assert "may or may not have left" in out.getvalue() and "member0001" in out.getvalue()
    assert len(mail.outbox) == 0


def test_claim_is_a_compare_and_set(member):
    row = outbox.queue(member, "password_changed")
    assert outbox.claim(row.pk) is True
    assert outbox.claim(row.pk) is False


def test_dedupe_key_queues_once(member):
    assert outbox.queue(member, "password_changed", dedupe_key="k1") is not None
    assert outbox.queue(member, "password_changed", dedupe_key="k1") is None
    assert OutgoingMail.objects.count() == 1


def test_no_secret_in_the_row(member):
    services.require_reset([member.pk], reason="x")
    services.send_reset_mails()
    row = OutgoingMail.objects.get()
    from .conftest import link_token

    token = link_token()
    assert token not in str(row.context) and token not in row.last_error


def test_cancelled_reset_mail_is_not_sent(member):
    from secure_shopadmin.resets.models import ResetRequirement

    services.require_reset([member.pk], reason="x")
    row = OutgoingMail.objects.get()
    ResetRequirement.objects.update(cancelled_at=row.created_at)  # cancelled behind the queue's back
    report = services.send_reset_mails()
    assert report.skipped == 1 and len(mail.outbox) == 0
    row.refresh_from_db()
    assert row.state == MailState.FAILED and row.last_error.startswith("skipped")


def test_user_without_address_is_not_queued(member):
    member.email = ""
    member.save()
    result = services.require_reset([member.pk], reason="x")
    assert result.mails_queued == 0 and result.required == [member.pk]
