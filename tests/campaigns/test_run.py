"""A campaign applied and run in-process: every target required, sessions ended, hashes wrapped,
one mail each; a rerun or a resumed run does nothing twice."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.sessions.models import Session
from django.core import mail

from secure_shopadmin.audit.models import EventKind, SecurityEvent
from secure_shopadmin.campaigns import contain, runner, services, targets
from secure_shopadmin.campaigns.mail_phase import MailPhase
from secure_shopadmin.campaigns.models import CampaignTarget, RunState
from secure_shopadmin.core import crypto
from secure_shopadmin.core.models import UserSession
from secure_shopadmin.lockout.models import Counter as LockoutCounter
from secure_shopadmin.resets.models import MailState, OutgoingMail, ResetRequirement
from tests.mailers import use_mail_backend

from ..conftest import enrol_device
from .conftest import give_sessions, old_password, seed_members, upload

pytestmark = pytest.mark.django_db
User = get_user_model()
MEMBERS = 2000


def recipients():
    return Counter(address for message in mail.outbox for address in message.to)


def test_small_breach_end_to_end(campaign, superuser, staff_user, cheap_wrap):
    members = seed_members(MEMBERS)
    give_sessions(members[:50] + [staff_user])
    affected = [m.username for m in members[:1500]] + [m.email.upper() for m in members[1500:1800]]
    source = upload(campaign, affected + ["member000001", "nobody", "ghost@nowhere.example"], actor=superuser)
    assert (source.lines, source.matched, source.duplicates) == (1803, 1800, 1)
    assert source.unknown == ["nobody", "ghost@nowhere.example"]
    targets.add_all_staff(campaign, actor=superuser)

    before = ResetRequirement.objects.count(), Session.objects.count(), User.objects.filter(
        password__startswith="legacy_md5$").count()
    preview = services.preview(campaign)
    assert (preview.targets, preview.staff, preview.members) == (1802, 2, 1800)
    assert preview.with_sessions == 51 and preview.fast_legacy == 1800
    assert preview.staff_without_2fa == 2 and preview.pending_reset == 0
    assert (ResetRequirement.objects.count(), Session.objects.count(),
            User.objects.filter(password__startswith="legacy_md5$").count()) == before  # a dry run

    services.apply(campaign, actor=superuser)
    report = runner.run(campaign, batch_size=500)
    assert report.required == 1802 and report.wrapped == 1800 and report.sent == 1802
    # every target: a pending compromised requirement, password unusable, former hash kept wrapped
    required = ResetRequirement.objects.pending().filter(mode="compromised")
    assert required.count() == 1802
    for requirement in required.select_related("user")[:40]:
        assert not requirement.user.has_usable_password()
        former = crypto.decrypt(requirement.old_password_wrapped).decode()
        if not requirement.user.is_staff:
            assert former.startswith("argon2w$")
            number = int(requirement.user.username.removeprefix("member"))
            assert check_password(old_password(number), former)
    # the members not named keep their legacy hash (the wrap command is for them)
    assert User.objects.filter(password__startswith="legacy_md5$").count() == MEMBERS - 1800
    assert UserSession.objects.filter(user__in=[m.pk for m in members[:50]] + [staff_user.pk]).count() == 0
    assert not Session.objects.exists()
    assert recipients() == Counter({**{m.email: 1 for m in members[:1800]}, staff_user.email: 1,
                                    superuser.email: 1})
    assert CampaignTarget.objects.filter(campaign=campaign, mailed_at__isnull=True).count() == 0
    assert campaign.targets.filter(needs_enrolment=True).count() == 2  # staff without a device
    # audited with the campaign
    steps = Counter(e.details.get("step") for e in SecurityEvent.objects.filter(campaign=campaign))
    assert steps["created"] == 1 and steps["targets_added"] == 2 and steps["applied"] == 1
    assert steps["batch"] == 4 and steps["mailed"] == 1802 and steps["run_finished"] == 1
    assert SecurityEvent.objects.filter(kind=EventKind.RESET_REQUIRED, campaign=campaign).count() == 1802

    progress = services.progress(campaign)
    assert progress["required"] == progress["mailed"] == 1802 and progress["pending"] == 0
    assert progress["run_state"] == RunState.FINISHED

    # a rerun: nothing twice
    again = runner.run(campaign)
    assert again.required == again.wrapped == again.sent == again.batches == 0
    assert len(mail.outbox) == 1802
    assert ResetRequirement.objects.count() == 1802


def test_a_run_killed_between_batches_resumes_where_it_stopped(campaign, cheap_wrap):
    members = seed_members(300)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)

    def die(batch_number):
        if batch_number == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run(campaign, batch_size=100, after_batch=die)
    campaign.refresh_from_db()
    assert campaign.run_state == RunState.FAILED
    assert campaign.targets.filter(required_at__isnull=False).count() == 200
    assert recipients() == Counter({m.email: 1 for m in members[:100]})  # the first batch's mails left at once
    assert campaign.targets.filter(wrap_state="").count() == 300  # the wrap waits for every target contained
    report = runner.run(campaign, batch_size=100)
    assert report.batches == 1 and report.required == 100 and report.sent == 200 and report.wrapped == 300
    assert ResetRequirement.objects.count() == 300
    assert recipients() == Counter({m.email: 1 for m in members})
    assert not User.objects.filter(password__startswith="legacy_md5$").exists()


def test_mails_left_in_sending_are_reported_not_resent(campaign):
    members = seed_members(20)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    runner.run(campaign, send=False)
    mails = runner.campaign_mails(campaign)
    assert not mails.exists()  # contained only: the mail phase queues each mail just before sending
    assert contain.queue_mails(campaign, 100)[0] == 20
    assert mails.filter(state=MailState.QUEUED).count() == 20
    stuck = list(mails.order_by("pk")[:3])
    OutgoingMail.objects.filter(pk__in=[m.pk for m in stuck]).update(state=MailState.SENDING)  # a killed run
    report = runner.run(campaign)
    assert report.sent == 17 and len(mail.outbox) == 17
    assert [row["mail"] for row in report.uncertain] == [m.pk for m in stuck]
    campaign.refresh_from_db()
    assert len(campaign.run_report["uncertain"]) == 3
    assert services.progress(campaign)["mail_sending"] == 3


def test_failed_mails_are_reported_and_retried_on_the_next_run(campaign, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "CAMPAIGN_MAIL_RETRY_SECONDS": 0.01,
                                 "CAMPAIGN_MAIL_ATTEMPTS": 3}
    members = seed_members(5)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    use_mail_backend(settings, "tests.campaigns.failing_mail.EmailBackend")
    report = runner.run(campaign)
    assert report.failed == 5 and report.sent == 0 and report.retried == 10  # 3 attempts each
    assert {row["email"] for row in report.failed_addresses} == {m.email for m in members}
    assert all(row["error"].startswith("temporary: ConnectionRefusedError") for row in report.failed_addresses)
    assert services.progress(campaign)["mail_failed"] == 5
    use_mail_backend(settings, "django.core.mail.backends.locmem.EmailBackend")
    report = runner.run(campaign)
    assert report.requeued == 5 and report.sent == 5 and report.failed_addresses == []
    assert recipients() == Counter({m.email: 1 for m in members})


def test_throttle_spaces_the_mails(campaign):
    members = seed_members(7)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    slept = []
    report = runner.run(campaign, mails_per_minute=3, sleep=slept.append)
    assert report.sent == 7
    # one mail every 20 s: the k-th mail waits until 20k s after the first (this sleep does not pass time)
    assert [round(pause) for pause in slept] == [20, 40, 60, 80, 100, 120]


def test_lockout_counters_are_kept_and_other_sessions_survive(campaign, member, staff_user):
    from django.utils import timezone

    give_sessions([member, staff_user])
    LockoutCounter.objects.create(rule="pair", username=member.username, ip="203.0.113.9", failures=3,
                                  last_failure_at=timezone.now())
    LockoutCounter.objects.create(rule="account", username=member.username, failures=4,
                                  last_failure_at=timezone.now())
    counters_before = sorted(LockoutCounter.objects.values_list("rule", "failures"))
    targets.add_selection(campaign, User.objects.filter(pk=member.pk))
    services.apply(campaign)
    runner.run(campaign)
    assert sorted(LockoutCounter.objects.values_list("rule", "failures")) == counters_before
    assert UserSession.objects.filter(user=staff_user).count() == 1
    assert UserSession.objects.filter(user=member).count() == 0


def test_staff_with_a_device_need_no_enrolment(campaign, staff_user, superuser):
    enrol_device(staff_user)
    targets.add_all_staff(campaign)
    services.apply(campaign)
    runner.run(campaign)
    needs = dict(campaign.targets.values_list("username", "needs_enrolment"))
    assert needs == {staff_user.username: False, superuser.username: True}
    body = {m.to[0]: m.body for m in mail.outbox}
    assert "set up an authenticator app" in body[superuser.email]
    assert "code from your authenticator app" in body[staff_user.email]


def test_closing_stops_the_run_and_keeps_the_record(campaign):
    members = seed_members(30)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)

    def close_it(batch_number):
        services.close(campaign)

    report = runner.run(campaign, batch_size=10, after_batch=close_it)
    assert report.stopped == "closed" and report.batches == 1
    assert campaign.targets.count() == 30 and mail.outbox == []
    with pytest.raises(runner.RunRefused):
        runner.run(campaign)


def test_the_sender_queues_the_last_batch_contained_between_its_step_and_its_check(campaign):
    """The sender's step found nothing, then containment ended before it asked whether it had: the batch
    contained meanwhile is still queued and sent (read the other way round, the run finished unmailed)."""
    members = seed_members(12)
    targets.add_selection(campaign, User.objects.filter(pk__in=[m.pk for m in members]))
    services.apply(campaign)
    phase = MailPhase(campaign, 0)
    first_step = phase.step

    def containment_ends_meanwhile(block=True):
        done = first_step(block)
        if not phase.contained.is_set():
            runner.contain_all(campaign, runner.RunReport(), 1000, None, None, None)
            phase.contained.set()
        return done

    phase.step = containment_ends_meanwhile
    phase.run()
    assert recipients() == Counter({member.email: 1 for member in members})
