"""The three phases of a campaign's run, in their order of urgency, and their timing.

1. ``contain``: every target's compromised-mode reset required (password unusable), every session,
   API token and remembered browser ended; set-based SQL in batches, no hashing.
2. ``mail``: the reset mails, from the first contained batch on, while containment goes on.
3. ``wrap``: the former fast legacy hashes kept on the requirements wrapped in argon2id, on every
   core (or by task queue workers on several machines).

Each phase's start and end are kept on the campaign (:attr:`Campaign.phases`), so the page shows
its rate and ETA and the run's summary its time. The counts come from the targets' own rows.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Campaign

CONTAIN, MAIL, WRAP = "contain", "mail", "wrap"
PHASES = (CONTAIN, MAIL, WRAP)


def _write(campaign, name, values):
    with transaction.atomic():
        phases = dict(Campaign.objects.select_for_update().values_list("phases", flat=True).get(pk=campaign.pk) or {})
        phases[name] = {**phases.get(name, {}), **values}
        Campaign.objects.filter(pk=campaign.pk).update(phases=phases)
    campaign.phases = phases
    return phases[name]


def start(campaign, name, done, **extra):
    """The phase starts now with ``done`` of its items already done (by an earlier run)."""
    return _write(campaign, name, {"started_at": timezone.now().isoformat(), "done_at_start": done,
                                   "finished_at": None, "seconds": None, **extra})


def finish(campaign, name, **extra):
    """The phase is over; returns its seconds in this run."""
    phase = (Campaign.objects.values_list("phases", flat=True).get(pk=campaign.pk) or {}).get(name, {})
    started = _parse(phase.get("started_at"))
    now = timezone.now()
    seconds = round((now - started).total_seconds(), 1) if started else 0.0
    _write(campaign, name, {"finished_at": now.isoformat(), "seconds": seconds, **extra})
    return seconds


def seconds_by_phase(campaign):
    """{phase: seconds} of the phases finished in the last run (the summary's and the audit event's)."""
    phases = Campaign.objects.values_list("phases", flat=True).get(pk=campaign.pk) or {}
    return {f"{name}_seconds": phases[name]["seconds"] for name in PHASES
            if phases.get(name, {}).get("seconds") is not None}


def _parse(value):
    return datetime.fromisoformat(value) if value else None


def figure(phases, name, done, total, now=None):
    """One phase's figures for the page: done, total, percent, state, rate a second and ETA seconds."""
    phase = (phases or {}).get(name) or {}
    started, finished = _parse(phase.get("started_at")), _parse(phase.get("finished_at"))
    now = now or timezone.now()
    elapsed = ((finished or now) - started).total_seconds() if started else 0.0
    since_start = done - phase.get("done_at_start", 0)
    rate = since_start / elapsed if elapsed > 0 and since_start > 0 else None
    state = "done" if finished or (total and done >= total) else ("running" if started else "waiting")
    left = max(0, total - done)
    return {
        "done": done, "total": total, "percent": round(100 * done / total) if total else 100, "state": state,
        "rate": round(rate, 1) if rate else None, "seconds": phase.get("seconds"),
        "eta_seconds": round(left / rate) if rate and left and state == "running" else None,
    }
