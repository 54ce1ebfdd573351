"""Who holds a campaign's run, its heartbeat, and how it ends (by the run, or by the last wrap task)."""

import os

from django.db import transaction
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from . import phases, wrap
from .models import Campaign, CampaignState, RunState
from .services import run_is_stale


class RunRefused(Exception):
    """The campaign is not applied, is closed, or another run is alive."""


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


def conclude(campaign, report, summary):
    """The ordered run is over: finished, or ``wrapping`` while task queue workers still wrap ranges."""
    now = timezone.now()
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        wrapping = campaign.wrap_hashes and wrap.todo(campaign).exists()
        if not wrapping and (campaign.phases or {}).get(phases.WRAP, {}).get("distributed"):
            phases.finish(campaign, phases.WRAP)
        Campaign.objects.filter(pk=campaign.pk).update(
            run_state=RunState.WRAPPING if wrapping else RunState.FINISHED, run_heartbeat_at=now,
            run_finished_at=None if wrapping else now, run_report=report)
    if not wrapping:
        record_finished(campaign, summary)
    return not wrapping


def finish_if_wrapped(campaign):
    """After a wrap task: the campaign's run is finished if it waited for the wrap and nothing is left."""
    with transaction.atomic():
        row = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if row is None or row.run_state != RunState.WRAPPING or wrap.todo(campaign).exists():
            return False
        phases.finish(campaign, phases.WRAP)
        Campaign.objects.filter(pk=campaign.pk).update(run_state=RunState.FINISHED, run_finished_at=timezone.now())
    record_finished(campaign, row.run_report or {})
    return True


def record_finished(campaign, summary):
    details = {key: value for key, value in summary.items() if not isinstance(value, (list, dict))}
    record(EventKind.CAMPAIGN, campaign=campaign, reason=campaign.audit_reason(), step="run_finished",
           **details, **phases.seconds_by_phase(campaign))
