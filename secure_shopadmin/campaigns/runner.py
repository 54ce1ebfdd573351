"""The run of an applied campaign: a resumable state machine over its targets, in batches.

Per batch of targets not yet required (primary-key order), in one transaction: wrap their fast
legacy hashes (compare-and-set; the argon2 work is done just before), require a ``compromised``
reset (password unusable, every session, API token and remembered browser ended — lockout
counters are left as they are), note which staff must enrol a second factor, queue the campaign
mail (one per target: a deduplication key) and stamp the targets. A killed run loses at most the
batch in flight, which the next run does again from scratch. Then the mails are sent in batches
(throttled by ``CAMPAIGN_MAILS_PER_MINUTE``): queued → sending → sent | failed; a mail left in
``sending`` by a killed run is never resent, only reported.
"""

import os
import time
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core.policy import users_under_policy
from ..hashers.wrapped import default_params
from ..hashers.wrapping import InlineExecutor, executor_for
from ..resets import outbox
from ..resets import services as reset_services
from ..resets.models import MailState, OutgoingMail, ResetCategory, ResetMode, ResetRequirement
from ..twofactor.models import AuthenticatorDevice
from . import mailing, sending, wrap
from .models import Campaign, CampaignState, CampaignTarget, RunState
from .services import run_is_stale
from .sql import update_columns


class RunRefused(Exception):
    """The campaign is not applied, is closed, or another run is alive."""


@dataclass
class RunReport:
    batches: int = 0
    required: int = 0
    already_pending: int = 0
    wrapped: int = 0
    mails_queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    requeued: int = 0
    uncertain: list = field(default_factory=list)  # [{"mail", "username", "claimed_at"}]
    failed_addresses: list = field(default_factory=list)  # [{"username", "email", "error"}]
    stopped: str = ""  # "closed" when the campaign was closed during the run

    def as_dict(self):
        return asdict(self)


def campaign_mails(campaign):
    return OutgoingMail.objects.filter(template=mailing.TEMPLATE, context__campaign=campaign.pk)


def claim_run(campaign, force=False):
    """Mark the campaign as running (compare-and-set), unless another live run holds it."""
    campaign.refresh_from_db()
    if campaign.state != CampaignState.APPLIED:
        raise RunRefused("the campaign is not applied (or is closed)")
    now = timezone.now()
    rows = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.APPLIED)
    if not force and not run_is_stale(campaign):
        rows = rows.exclude(run_state=RunState.RUNNING)
    claimed = rows.update(run_state=RunState.RUNNING, run_started_at=now, run_heartbeat_at=now,
                          run_finished_at=None, run_pid=os.getpid(), run_error="")
    if not claimed:
        raise RunRefused("another run of this campaign is running")
    campaign.refresh_from_db()


def heartbeat(campaign):
    """Note a sign of life; False if the campaign was closed meanwhile (the run then stops)."""
    Campaign.objects.filter(pk=campaign.pk).update(run_heartbeat_at=timezone.now())
    return Campaign.objects.filter(pk=campaign.pk, state=CampaignState.APPLIED).exists()


def run(campaign, *, batch_size=None, workers=None, send=True, mails_per_minute=None, force=False,
        target_progress=None, mail_progress=None, after_batch=None, sleep=time.sleep):
    """Do (the rest of) the campaign's work; returns a :class:`RunReport`.

    ``target_progress(n)``/``mail_progress(n)`` move progress bars; ``after_batch(number)`` is a
    test seam (raise in it to play a killed run).
    """
    claim_run(campaign, force=force)
    report = RunReport()
    record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="run_started",
           pid=os.getpid())
    try:
        if apply_targets(campaign, report, batch_size or app_settings.CAMPAIGN_BATCH_SIZE,
                         workers or app_settings.CAMPAIGN_WRAP_WORKERS, target_progress, after_batch):
            if send and campaign.send_mails:
                send_mails(campaign, report, mails_per_minute, mail_progress, sleep)
        else:
            report.stopped = "closed"
        collect_problems(campaign, report)
    except BaseException as error:
        Campaign.objects.filter(pk=campaign.pk).update(
            run_state=RunState.FAILED, run_finished_at=timezone.now(),
            run_error=f"{type(error).__name__}: {error}"[:2000], run_report=report.as_dict())
        record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="run_failed",
               error=type(error).__name__, **summary(report))
        raise
    Campaign.objects.filter(pk=campaign.pk).update(
        run_state=RunState.FINISHED, run_finished_at=timezone.now(), run_heartbeat_at=timezone.now(),
        run_report=report.as_dict())
    record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="run_finished",
           **summary(report))
    return report


def summary(report):
    return {key: getattr(report, key) for key in ("batches", "required", "already_pending", "wrapped",
                                                   "mails_queued", "sent", "failed", "skipped")} | {
        "uncertain": len(report.uncertain), "failed_addresses": len(report.failed_addresses)}


# --- targets ---------------------------------------------------------------------------------------

def apply_targets(campaign, report, batch_size, workers, progress, after_batch):
    """Every target not yet required, batch by batch; False if the campaign was closed meanwhile."""
    params = default_params() if campaign.wrap_hashes else None
    executor = executor_for(workers) if params is not None else InlineExecutor()
    todo = CampaignTarget.objects.filter(campaign=campaign, required_at__isnull=True, user__isnull=False)
    with executor:
        last = 0
        while True:
            batch = next_batch(todo, last, batch_size)
            if not batch:
                return True
            last = batch[-1][0]
            pending = wrap.compute(executor, batch, params, batch_size) if params is not None else None
            apply_batch(campaign, batch, pending, params, report)
            report.batches += 1
            if progress:
                progress(len(batch))
            if after_batch:
                after_batch(report.batches)
            if not heartbeat(campaign):
                return False


def next_batch(todo, last, batch_size):
    """[(target pk, user pk, password)] of the next targets after ``last``.

    Two indexed lookups rather than a join, which the planner may answer by reading every user
    (the targets' statistics lag behind a campaign just filled): each batch costs the same at any size.
    """
    targets = list(todo.filter(pk__gt=last).order_by("pk").values_list("pk", "user_id")[:batch_size])
    passwords = dict(get_user_model()._default_manager.filter(pk__in=[user_id for _pk, user_id in targets])
                     .values_list("pk", "password"))
    return [(pk, user_id, passwords[user_id]) for pk, user_id in targets if user_id in passwords]


def apply_batch(campaign, batch, pending, params, report):
    target_ids = [target_id for target_id, _pk, _password in batch]
    now = timezone.now()
    with transaction.atomic():
        # the batch may have been done by a concurrent run since it was read: keep to the rest
        fresh = set(CampaignTarget.objects.select_for_update().filter(pk__in=target_ids, required_at__isnull=True)
                    .values_list("pk", flat=True))
        if not fresh:
            return
        batch = [row for row in batch if row[0] in fresh]
        user_ids = [pk for _target_id, pk, _password in batch]
        states = {}
        if pending is not None:
            pending.jobs = [job for job in pending.jobs if job[0] in fresh]
            states = wrap.write(pending, params)
        result = reset_services.require_reset(
            user_ids, mode=ResetMode.COMPROMISED, category=ResetCategory.BREACH, reason=campaign.audit_reason(),
            actor=campaign.applied_by, notify=False, batch_size=len(user_ids), campaign=campaign)
        requirements = dict(ResetRequirement.objects.pending().filter(user_id__in=user_ids)
                            .values_list("user_id", "pk"))
        must_enrol = enrolment_needed(user_ids)
        user_of = {target_id: user_id for target_id, user_id, _password in batch}
        mails = queue_mails(campaign, user_ids, requirements, must_enrol) if campaign.send_mails else {}
        ids = list(user_of)
        update_columns(CampaignTarget, {  # each target written once
            "requirement": {t: requirements.get(u) for t, u in user_of.items()},
            "wrap_state": {t: states.get(t, wrap.SKIPPED) for t in user_of},
            "needs_enrolment": {t: u in must_enrol for t, u in user_of.items()},
            "mail": {t: mails[u] for t, u in user_of.items() if u in mails},
        }, same={"required_at": now})
        wrapped = sum(1 for state in states.values() if state == wrap.WRAPPED)
        record(EventKind.CAMPAIGN, campaign=campaign, actor=campaign.applied_by, reason=campaign.audit_reason(),
               step="batch", targets=len(ids), required=result.affected,
               already_pending=len(result.already_pending), wrapped=wrapped, mails_queued=len(mails),
               first_target=min(fresh), last_target=max(fresh))
    report.required += result.affected
    report.already_pending += len(result.already_pending)
    report.wrapped += wrapped
    report.mails_queued += len(mails)


def enrolment_needed(user_ids):
    """Users among these whom the 2FA policy covers and who have no confirmed device."""
    covered = users_under_policy(get_user_model()._default_manager.filter(pk__in=user_ids))
    with_device = AuthenticatorDevice.objects.filter(user_id__in=user_ids, confirmed=True).values("user_id")
    return set(covered.exclude(pk__in=with_device).values_list("pk", flat=True))


def queue_mails(campaign, user_ids, requirements, must_enrol):
    """Queue one campaign mail per user with an address and a pending requirement; returns {user_id: mail id}.

    The targets are locked and not yet stamped, so none has a mail yet (a killed run's batch was
    rolled back whole): the rows are inserted without looking their keys up first, a lookup that
    would read the whole outbox per batch once it is large. The keys stay unique in the database.
    """
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    with_address = set(user_model._default_manager.filter(pk__in=user_ids).exclude(**{email_field: ""})
                       .exclude(**{f"{email_field}__isnull": True}).values_list("pk", flat=True))
    rows = OutgoingMail.objects.bulk_create([
        mailing.mail_row(campaign, user_id, requirements[user_id], user_id in must_enrol)
        for user_id in user_ids if user_id in requirements and user_id in with_address
    ], batch_size=1000)
    if all(row.pk is not None for row in rows):
        return {row.user_id: row.pk for row in rows}
    keys = [row.dedupe_key for row in rows]  # a database that does not return the new keys
    return dict(OutgoingMail.objects.filter(dedupe_key__in=keys).values_list("user_id", "pk"))


# --- mails -------------------------------------------------------------------------------------------

def send_mails(campaign, report, mails_per_minute, progress, sleep):
    """Send the campaign's queued mails in batches; failed ones of earlier runs are queued again first."""
    mails = campaign_mails(campaign)
    report.requeued = outbox.requeue_failed(queryset=mails)
    per_minute = app_settings.CAMPAIGN_MAILS_PER_MINUTE if mails_per_minute is None else mails_per_minute
    batch = app_settings.MAIL_BATCH_SIZE * 10  # a heartbeat after each
    if per_minute:
        batch = max(1, min(batch, per_minute))
    while True:
        started = time.monotonic()
        sent = sending.send_queued(campaign, mails, batch_size=app_settings.MAIL_BATCH_SIZE, limit=batch,
                                   progress=progress)
        report.sent += sent.sent
        report.failed += sent.failed
        report.skipped += sent.skipped
        done = sent.sent + sent.failed + sent.skipped
        if not heartbeat(campaign):
            report.stopped = "closed"
            return
        if not done or not mails.filter(state=MailState.QUEUED).exists():
            return
        if per_minute:
            sleep(max(0.0, done * 60.0 / per_minute - (time.monotonic() - started)))


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
