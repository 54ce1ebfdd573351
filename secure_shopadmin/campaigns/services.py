"""Campaigns in plain functions: create, preview (a dry run), apply, progress, export, close.

The work of an applied campaign is done by :mod:`.runner` (``manage.py run_campaign ID``), in
batches, resumable; the admin starts it through :mod:`.tasks` and never waits for it.
"""

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from ..alerts.models import LoginOutcome, LoginRecord
from ..audit.models import EventKind
from ..audit.services import record
from ..conf import app_settings
from ..core.models import UserSession
from ..hashers.wrapped import ALGORITHM as WRAPPED_ALGORITHM
from ..hashers.wrapping import wrappable_algorithms
from ..resets.models import MailState, OutgoingMail, ResetRequirement
from ..twofactor.models import AuthenticatorDevice
from ..twofactor.passkeys.models import PasskeyDevice
from . import mailing, phases
from .models import Campaign, CampaignState, CampaignTarget, RunState
from .targets import legacy_or_wrapped_q, prefix_q

#: unknown lines listed on the preview per source (all are in the CSV of sources)
UNKNOWN_SHOWN = 200


class CampaignError(Exception):
    """A step that cannot happen in the campaign's state (apply a closed campaign…)."""


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def create(name, *, description="", reason="", actor=None, request=None, **fields):
    """A new draft campaign with the default mail texts."""
    campaign = Campaign(name=name, description=description, reason=reason, created_by=_actor(actor), **fields)
    mailing.fill_defaults(campaign)
    campaign.save()
    record(EventKind.CAMPAIGN, request=request, actor=_actor(actor), campaign=campaign,
           reason=campaign.audit_reason(), step="created")
    return campaign


# --- preview -------------------------------------------------------------------------------------

@dataclass
class Preview:
    """What applying would touch (nothing changes to compute it)."""

    targets: int = 0
    staff: int = 0
    members: int = 0
    with_sessions: int = 0
    staff_with_2fa: int = 0
    staff_without_2fa: int = 0
    fast_legacy: int = 0
    legacy_or_wrapped: int = 0
    already_wrapped: int = 0
    pending_reset: int = 0
    without_address: int = 0
    deleted: int = 0
    sources: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def preview(campaign):
    """Counts over the campaign's targets and per source (matched, unknown, duplicate lines)."""
    email_field = get_user_model().get_email_field_name()
    targets = CampaignTarget.objects.filter(campaign=campaign)
    has_session = Exists(UserSession.objects.filter(user_id=OuterRef("user_id")))
    has_device = Exists(AuthenticatorDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)) | Exists(
        PasskeyDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True))
    pending = Exists(ResetRequirement.objects.pending().filter(user_id=OuterRef("user_id")))
    counts = targets.annotate(s=has_session, d=has_device, p=pending).aggregate(
        targets=Count("pk"),
        staff=Count("pk", filter=Q(user__is_staff=True)),
        members=Count("pk", filter=Q(user__is_staff=False)),
        with_sessions=Count("pk", filter=Q(s=True)),
        staff_with_2fa=Count("pk", filter=Q(user__is_staff=True, d=True)),
        staff_without_2fa=Count("pk", filter=Q(user__is_staff=True, d=False)),
        fast_legacy=Count("pk", filter=prefix_q("user__password", wrappable_algorithms())),
        legacy_or_wrapped=Count("pk", filter=legacy_or_wrapped_q("user__password")),
        already_wrapped=Count("pk", filter=Q(user__password__startswith=f"{WRAPPED_ALGORITHM}$")),
        pending_reset=Count("pk", filter=Q(p=True)),
        without_address=Count("pk", filter=Q(user__isnull=False) & (
            Q(**{f"user__{email_field}": ""}) | Q(**{f"user__{email_field}__isnull": True}))),
        deleted=Count("pk", filter=Q(user__isnull=True)),
    )
    result = Preview(**counts)
    result.sources = [
        {"kind": source.get_kind_display(), "label": source.label, "lines": source.lines,
         "matched": source.matched, "added": source.added, "duplicates": source.duplicates,
         "unknown_count": len(source.unknown), "unknown": source.unknown[:UNKNOWN_SHOWN]}
        for source in campaign.sources.all()
    ]
    return result


# --- apply, close --------------------------------------------------------------------------------

def apply(campaign, *, actor=None, request=None):
    """draft → applied (compare-and-set); the run (:func:`.tasks.launch`) then does the work."""
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.DRAFT).update(
            state=CampaignState.APPLIED, applied_at=timezone.now(), applied_by=_actor(actor))
        if not changed:
            raise CampaignError("not a draft")
        campaign.refresh_from_db()
        record(EventKind.CAMPAIGN, request=request, actor=_actor(actor), campaign=campaign,
               reason=campaign.audit_reason(), step="applied", targets=campaign.targets.count())
    return campaign


def close(campaign, *, actor=None, request=None):
    """applied (or draft) → closed; nothing is deleted. A running run stops after its batch."""
    changed = Campaign.objects.filter(pk=campaign.pk).exclude(state=CampaignState.CLOSED).update(
        state=CampaignState.CLOSED, closed_at=timezone.now(), closed_by=_actor(actor))
    if not changed:
        raise CampaignError("already closed")
    campaign.refresh_from_db()
    record(EventKind.CAMPAIGN, request=request, actor=_actor(actor), campaign=campaign,
           reason=campaign.audit_reason(), step="closed")
    return campaign


# --- progress ------------------------------------------------------------------------------------

def _logged_in_since():
    return Exists(LoginRecord.objects.filter(user_id=OuterRef("user_id"), outcome=LoginOutcome.SUCCESS,
                                             created_at__gt=OuterRef("required_at")))


def progress(campaign):
    """Counts of the campaign's targets by step; the admin's live figures and the JSON endpoint."""
    email_field = get_user_model().get_email_field_name()
    targets = CampaignTarget.objects.filter(campaign=campaign)
    counts = targets.aggregate(
        targets=Count("pk"),
        required=Count("pk", filter=Q(required_at__isnull=False)),
        wrapped=Count("pk", filter=Q(wrap_state="wrapped")),
        mail_queued=Count("pk", filter=Q(mail__state=MailState.QUEUED)),
        mail_sending=Count("pk", filter=Q(mail__state=MailState.SENDING)),
        mailed=Count("pk", filter=Q(mail__state=MailState.SENT)),
        mail_failed=Count("pk", filter=Q(mail__state=MailState.FAILED)),
        no_mail=Count("pk", filter=Q(required_at__isnull=False, mail__isnull=True) & (
            Q(**{f"user__{email_field}": ""}) | Q(**{f"user__{email_field}__isnull": True}))),
        reset_done=Count("pk", filter=Q(requirement__satisfied_at__isnull=False)),
        reset_cancelled=Count("pk", filter=Q(requirement__cancelled_at__isnull=False)),
        needs_enrolment=Count("pk", filter=Q(needs_enrolment=True)),
    )
    counts["pending"] = counts["targets"] - counts["required"]
    counts["wrap_looked_at"] = targets.exclude(wrap_state="").count()
    counts["logged_in_since"] = targets.filter(required_at__isnull=False).filter(_logged_in_since()).count()
    campaign.refresh_from_db(fields=["state", "run_state", "run_heartbeat_at", "run_started_at",
                                     "run_finished_at", "run_error", "run_report"])
    counts.update({
        "state": campaign.state,
        "run_state": campaign.run_state,
        "run_stale": run_is_stale(campaign),
        "run_heartbeat_at": campaign.run_heartbeat_at.isoformat() if campaign.run_heartbeat_at else None,
        "run_finished_at": campaign.run_finished_at.isoformat() if campaign.run_finished_at else None,
        "run_error": campaign.run_error,
        "uncertain_mails": len(campaign.run_report.get("uncertain", [])),
    })
    counts["phases"] = phase_figures(campaign, counts)
    return counts


def phase_figures(campaign, counts):
    """{phase: figures} of the three phases (:func:`.phases.figure`): count, rate, ETA."""
    campaign.refresh_from_db(fields=["phases", "send_mails", "wrap_hashes"])
    mail_total = counts["targets"] - counts["no_mail"] if campaign.send_mails else 0
    figures = {
        phases.CONTAIN: phases.figure(campaign.phases, phases.CONTAIN, counts["required"], counts["targets"]),
        phases.MAIL: phases.figure(campaign.phases, phases.MAIL, counts["mailed"] + counts["mail_failed"],
                                   mail_total),
        phases.WRAP: phases.figure(campaign.phases, phases.WRAP, counts["wrap_looked_at"] if campaign.wrap_hashes
                                   else 0, counts["targets"] if campaign.wrap_hashes else 0),
    }
    figures[phases.MAIL]["off"] = not campaign.send_mails
    figures[phases.WRAP]["off"] = not campaign.wrap_hashes
    return figures


def run_is_stale(campaign):
    """A run marked as running whose heartbeat is older than ``CAMPAIGN_STALE_AFTER`` was killed."""
    if campaign.run_state not in (RunState.RUNNING, RunState.STARTING):
        return False
    seen = campaign.run_heartbeat_at or campaign.run_started_at
    return seen is None or timezone.now() - seen > timedelta(seconds=app_settings.CAMPAIGN_STALE_AFTER)


# --- export --------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("username", "email", "staff", "source", "hash", "reset_required_at", "reset",
                  "must_enrol_2fa", "mail", "mailed_at", "mail_error", "logged_in_since")


def export_rows(campaign, chunk_size=2000):
    """Per-target rows (tuples in :data:`EXPORT_COLUMNS` order), read in primary-key chunks."""
    email_field = get_user_model().get_email_field_name()
    targets = (CampaignTarget.objects.filter(campaign=campaign).annotate(since=_logged_in_since())
               .select_related("user", "source", "requirement", "mail").order_by("pk"))
    last = 0
    while True:
        chunk = list(targets.filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        for target in chunk:
            requirement, mail = target.requirement, target.mail
            if requirement is None:
                reset = ""
            elif requirement.satisfied_at:
                reset = "done"
            elif requirement.cancelled_at:
                reset = "cancelled"
            else:
                reset = "pending"
            yield (
                target.username, getattr(target.user, email_field, "") if target.user else "",
                "yes" if target.is_staff else "no", target.source.kind if target.source else "",
                target.wrap_state, target.required_at.isoformat() if target.required_at else "", reset,
                "yes" if target.needs_enrolment else "no", mail.state if mail else "",
                target.mailed_at.isoformat() if target.mailed_at else "",
                mail.last_error if mail else "", "yes" if target.since else "no",
            )
        last = chunk[-1].pk


FAILED_MAIL_COLUMNS = ("username", "email", "error")


def failed_mail_rows(campaign):
    """(username, address, error) of each campaign mail that failed for good (permanent refusals, attempts
    used up), in primary-key order: the list to check the addresses of."""
    email_field = get_user_model().get_email_field_name()
    failed = (OutgoingMail.objects.filter(campaign_targets__campaign=campaign, state=MailState.FAILED)
              .exclude(last_error__startswith="skipped").select_related("user").order_by("pk"))
    for mail in failed.iterator(chunk_size=2000):
        yield mail.user.get_username(), getattr(mail.user, email_field, ""), mail.last_error
