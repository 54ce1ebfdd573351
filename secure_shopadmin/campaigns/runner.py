"""The run of an applied campaign: three resumable phases, in their order of urgency (see :mod:`.phases`).

1. contain (:mod:`.contain`): batch by batch, every target's reset required and sessions, API
   tokens and remembered browsers ended; a killed run loses at most the batch in flight.
2. mail (:mod:`.mail_phase`): sending starts with the first contained batch, throttled by
   ``CAMPAIGN_MAILS_PER_MINUTE``; a mail left in ``sending`` by a killed run is never resent, only reported.
3. wrap (:mod:`.wrap`): once every target is contained, the kept former hashes are wrapped in
   argon2id on every core, or split into ranges for task queue workers (:mod:`.wrap_tasks`).

Run again after a kill, each phase takes up what is left.
"""

import os
import time
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..hashers.wrapped import default_params
from ..resets import outbox
from ..resets.models import MailState
from . import contain, phases, wrap, wrap_tasks
from .mail_phase import MailPhase, campaign_mails, concurrent_sending_possible
from .models import Campaign, CampaignTarget, RunState
from .run_state import RunRefused, claim_run, conclude, heartbeat
from .sql import refresh_statistics

__all__ = ["RunRefused", "RunReport", "campaign_mails", "claim_run", "heartbeat", "run"]


@dataclass
class RunReport:
    batches: int = 0
    required: int = 0
    already_pending: int = 0
    wrapped: int = 0
    wrap_tasks: int = 0
    mails_queued: int = 0
    sent: int = 0
    failed: int = 0
    permanent: int = 0
    retried: int = 0
    skipped: int = 0
    requeued: int = 0
    uncertain: list = field(default_factory=list)  # [{"mail", "username", "claimed_at"}]
    failed_addresses: list = field(default_factory=list)  # [{"username", "email", "error"}]
    seconds: dict = field(default_factory=dict)  # {"contain": s, "mail": s, "wrap": s}
    stopped: str = ""  # "closed" when the campaign was closed during the run

    def as_dict(self):
        return asdict(self)


def run(campaign, *, batch_size=None, workers=None, send=True, mails_per_minute=None, force=False,
        target_progress=None, mail_progress=None, wrap_progress=None, after_batch=None, sleep=None):
    """Do (the rest of) the campaign's work; returns a :class:`RunReport`.

    ``target_progress(n)``/``mail_progress(n)``/``wrap_progress(n)`` move a bar per phase;
    ``after_batch(number)`` is a test seam (raise in it to play a killed run).
    """
    claim_run(campaign, force=force)
    refresh_statistics(CampaignTarget)
    report = RunReport()
    record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="run_started",
           pid=os.getpid())
    per_minute = app_settings.CAMPAIGN_MAILS_PER_MINUTE if mails_per_minute is None else mails_per_minute
    mail = MailPhase(campaign, per_minute, mail_progress, sleep) if send and campaign.send_mails else None
    try:
        if mail is not None:
            report.requeued = mail.requeued
            phases.start(campaign, phases.MAIL, mail_done(campaign), per_minute=per_minute)
            if concurrent_sending_possible():
                mail.start_thread()
        if contain_all(campaign, report, batch_size or app_settings.CAMPAIGN_BATCH_SIZE, mail, target_progress,
                       after_batch):
            refresh_statistics(CampaignTarget)  # every target rewritten since
            if mail is not None and mail.thread is None:
                send_rest(campaign, mail, report)  # no sender thread: the mails before the wrap
            if campaign.wrap_hashes:
                wrap_phase(campaign, report, workers, wrap_progress)
            if mail is not None and mail.thread is not None:
                send_rest(campaign, mail, report)
        else:
            report.stopped = "closed"
            if mail is not None:
                mail.halt()
        collect_problems(campaign, report)
    except BaseException as error:
        if mail is not None:
            mail.halt()
            take_mail_counts(mail, report)
        Campaign.objects.filter(pk=campaign.pk).update(
            run_state=RunState.FAILED, run_finished_at=timezone.now(),
            run_error=f"{type(error).__name__}: {error}"[:2000], run_report=report.as_dict())
        record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="run_failed",
               error=type(error).__name__, **summary(report))
        raise
    report.seconds = {name.removesuffix("_seconds"): seconds
                      for name, seconds in phases.seconds_by_phase(campaign).items()}
    conclude(campaign, report.as_dict(), summary(report))
    return report


def summary(report):
    return {key: getattr(report, key) for key in (
        "batches", "required", "already_pending", "wrapped", "wrap_tasks", "mails_queued", "sent", "failed",
        "permanent", "retried", "skipped")} | {
        "uncertain": len(report.uncertain), "failed_addresses": len(report.failed_addresses)}


# --- phases ----------------------------------------------------------------------------------------

def contain_all(campaign, report, batch_size, mail, progress, after_batch):
    """Every target not yet contained, batch by batch; False if the campaign was closed meanwhile."""
    todo = contain.todo(campaign)
    phases.start(campaign, phases.CONTAIN, CampaignTarget.objects.filter(
        campaign=campaign, required_at__isnull=False).count())
    last = 0
    while True:
        batch = contain.next_batch(todo, last, batch_size)
        if not batch:
            break
        last = batch[-1][0]
        contain.contain_batch(campaign, batch, report)
        if progress:
            progress(len(batch))
        if after_batch:
            after_batch(report.batches)
        if not heartbeat(campaign):
            return False
        if mail is not None:
            mail.raise_error()
            if mail.thread is None:
                mail.step(block=False)  # one batch between two: the first mails leave at once
    phases.finish(campaign, phases.CONTAIN)
    return True


def wrap_phase(campaign, report, workers, progress):
    params = default_params()
    done = CampaignTarget.objects.filter(campaign=campaign).exclude(wrap_state="").count()
    if wrap_tasks.distributed():
        phases.start(campaign, phases.WRAP, done, distributed=True)
        report.wrap_tasks = wrap_tasks.enqueue(campaign, params)
        return
    workers = workers or wrap.workers_for(params)
    phases.start(campaign, phases.WRAP, done, workers=workers, params=list(params.as_tuple()))
    last_beat = [time.monotonic()]

    def beat():
        if time.monotonic() - last_beat[0] > 5:
            last_beat[0] = time.monotonic()
            heartbeat(campaign)

    counts = wrap.wrap_targets(campaign, params, workers=workers, batch_size=app_settings.WRAP_BATCH_SIZE,
                               progress=progress, after_chunk=beat)
    report.wrapped += counts.wrapped
    phases.finish(campaign, phases.WRAP)


def send_rest(campaign, mail, report):
    mail.wait(lambda: heartbeat(campaign))
    take_mail_counts(mail, report)
    phases.finish(campaign, phases.MAIL)


def take_mail_counts(mail, report):
    for name in ("sent", "failed", "permanent", "retried", "skipped"):
        setattr(report, name, getattr(mail.report, name))
    report.mails_queued = mail.queued


def mail_done(campaign):
    return campaign_mails(campaign).filter(state__in=[MailState.SENT, MailState.FAILED]).count()


def collect_problems(campaign, report):
    """The mails a killed run left in ``sending`` and the addresses that failed, for the operator."""
    email_field = get_user_model().get_email_field_name()
    report.uncertain = [
        {"mail": row.pk, "username": row.user.get_username(),
         "claimed_at": row.claimed_at.isoformat() if row.claimed_at else None}
        for row in outbox.uncertain(campaign_mails(campaign))
    ]
    failed = campaign_mails(campaign).filter(state=MailState.FAILED).filter(~Q(last_error__startswith="skipped"))
    report.failed_addresses = [
        {"mail": row.pk, "username": row.user.get_username(), "email": getattr(row.user, email_field, ""),
         "error": row.last_error[:200]}
        for row in failed.select_related("user").order_by("pk")
    ]
