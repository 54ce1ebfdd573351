"""Sending a campaign's mails in batches, with the outbox's states and a few queries per batch.

The same state machine as :mod:`secure_shopadmin.resets.outbox` (queued → sending → sent |
failed; at most once), batched for a hundred thousand mails:

1. claim: one ``UPDATE … SET state = 'sending' WHERE id IN (…) AND state = 'queued'`` that also
   writes this claim's random token in ``last_error``; the rows holding the token are ours (a
   concurrent run claims other rows, never the same);
2. make each link's token (only its digest is stored, one bulk update of the requirements);
   the campaign's mail is rendered once per language and kind of reader (:class:`~.mailing.Renderer`);
3. send one message at a time on one connection; a failure is recorded for that mail only;
4. mark the sent ones in one update, then note them (requirements' ``mailed_at``, targets,
   one audit event each in one insert) and send ``mail_sent`` per mail.

A run killed after step 1 leaves its batch in ``sending``: never resent, listed for the operator.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record_many
from ..conf import app_settings
from ..core import mail as mail_module
from ..core import tokens
from ..resets import services as reset_services
from ..resets import signals
from ..resets.models import MailState, OutgoingMail, ResetMode, ResetRequirement
from . import mailing
from .models import CampaignTarget
from .sql import update_by_pk

logger = logging.getLogger(__name__)
CLAIM_PREFIX = "sending, claim "


@dataclass
class BatchReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def claim(ids):
    """Claim queued rows among ``ids``; returns the rows this call owns (with their users)."""
    token = CLAIM_PREFIX + secrets.token_hex(8)
    OutgoingMail.objects.filter(pk__in=ids, state=MailState.QUEUED).update(
        state=MailState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1, last_error=token)
    return list(OutgoingMail.objects.filter(pk__in=ids, state=MailState.SENDING, last_error=token)
                .select_related("user", "user__ssa_mail_language").order_by("pk"))  # the language: no query a mail


def send_batch(campaign, ids, connection):
    """Claim and send these queued campaign mails; returns a :class:`BatchReport`."""
    report = BatchReport()
    rows = claim(ids)
    if not rows:
        return report
    requirements = {r.pk: r for r in ResetRequirement.objects.pending().filter(
        pk__in=[row.context.get("requirement") for row in rows], mode=ResetMode.COMPROMISED)}
    expires_at = timezone.now() + timedelta(seconds=app_settings.RESET_LINK_TTL)
    links, skipped = {}, []
    for row in rows:
        requirement = requirements.get(row.context.get("requirement"))
        if requirement is None or not row.user.email:
            skipped.append((row, "reset no longer pending" if requirement is None else "no address"))
            continue
        token, digest = tokens.new_token(reset_services.TOKEN_PURPOSE)
        requirement.link_digest, requirement.link_expires_at, requirement.link_used_at = digest, expires_at, None
        links[row.pk] = reset_services.link_url(row.context.get("base_url", ""), token)
    linked = [requirements[row.context["requirement"]] for row in rows if row.pk in links]
    if linked:
        update_by_pk(ResetRequirement, "link_digest", {r.pk: r.link_digest for r in linked})
        ResetRequirement.objects.filter(pk__in=[r.pk for r in linked]).update(
            link_expires_at=expires_at, link_used_at=None)
    for row, reason in skipped:
        OutgoingMail.objects.filter(pk=row.pk).update(
            state=MailState.FAILED, last_error=f"skipped: {reason}", attempts=app_settings.MAIL_MAX_ATTEMPTS)
        report.skipped += 1
    sent = []
    renderer = mailing.Renderer(campaign, expires_at)
    for row in rows:
        if row.pk not in links:
            continue
        try:
            message = renderer.message(row.user, links[row.pk], row.context.get("needs_enrolment", False))
            connection.send_messages([message])
        except Exception as error:  # noqa: BLE001  (any transport error is recorded and retried)
            OutgoingMail.objects.filter(pk=row.pk).update(
                state=MailState.FAILED, last_error=f"{type(error).__name__}: {error}"[:1000])
            logger.warning("campaign mail %s failed: %s", row.pk, type(error).__name__)
            report.failed += 1
            continue
        sent.append(row)
    if sent:
        note_sent(campaign, sent)
    report.sent = len(sent)
    return report


def note_sent(campaign, rows):
    now = timezone.now()
    ids = [row.pk for row in rows]
    OutgoingMail.objects.filter(pk__in=ids).update(state=MailState.SENT, sent_at=now, last_error="")
    ResetRequirement.objects.filter(pk__in=[row.context.get("requirement") for row in rows]).update(
        mailed_at=now, mail_count=F("mail_count") + 1)
    CampaignTarget.objects.filter(mail_id__in=ids).update(mailed_at=now)
    record_many(EventKind.CAMPAIGN, [row.user for row in rows], reason=campaign.audit_reason(),
                campaign=campaign, step="mailed")
    for row in rows:
        row.state, row.sent_at, row._campaign_noted = MailState.SENT, now, True
        signals.mail_sent.send(sender=OutgoingMail, mail=row)


def send_queued(campaign, mails, *, batch_size, limit, progress=None):
    """Send up to ``limit`` queued mails of ``mails`` (a queryset) in batches; returns a :class:`BatchReport`."""
    total = BatchReport()
    done = 0
    with mail_module.connection() as connection:
        while done < limit:
            ids = list(mails.filter(state=MailState.QUEUED).order_by("pk")
                       .values_list("pk", flat=True)[:min(batch_size, limit - done)])
            if not ids:
                break
            report = send_batch(campaign, ids, connection)
            for name in ("sent", "failed", "skipped"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            done += len(ids)
            if progress:
                progress(len(ids))
    return total
