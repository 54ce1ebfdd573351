"""Sending a campaign's mails: one at a time, at most once each, on one SMTP connection per batch.

The outbox's states (queued → sending → sent | failed), kept per mail so that a killed run leaves
at most the one mail in flight uncertain:

1. per batch: make each link's token (only its digest is stored, one bulk update of the
   requirements); the campaign's mail is rendered once per language and kind of reader
   (:class:`~.mailing.Renderer`);
2. per mail, in one statement: the previous mail of the batch is marked ``sent`` and this one
   claimed (``UPDATE … SET state = CASE … WHERE (id = <this> AND state = 'queued') OR (id = <previous>
   AND state = 'sending')``: a concurrent run never sends the same row), then sent;
3. a failure is sorted by what the server said (:func:`failure_kind`): a temporary one (SMTP 4xx,
   connection refused, reset or lost before the message data) goes back to ``queued`` and is tried
   again after a doubling wait, up to ``CAMPAIGN_MAIL_ATTEMPTS``; a permanent one (5xx) is failed
   for good and listed per address; a connection lost while the message data was on its way leaves
   the mail in ``sending``: it may have arrived, so it is never resent automatically, only reported;
4. after the batch: the sent ones are noted (requirements' ``mailed_at``, targets, one audit event
   each in one insert, ``mail_sent`` per mail). A run killed before that notes them at its next start.
"""

import logging
import smtplib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db import connections, router
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
TEMPORARY, PERMANENT, UNCERTAIN = "temporary", "permanent", "uncertain"
MAX_RETRY_WAIT = 300.0


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0  # for good: permanent, skipped or out of attempts
    permanent: int = 0
    retried: int = 0  # temporary failures tried again
    skipped: int = 0
    uncertain: int = 0  # connection lost while the message was on its way


def failure_kind(error):
    """TEMPORARY, PERMANENT or UNCERTAIN for an exception raised by the mail backend."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return TEMPORARY if codes and all(400 <= code < 500 for code in codes) else PERMANENT
    if isinstance(error, smtplib.SMTPResponseException):
        return TEMPORARY if 400 <= error.smtp_code < 500 else PERMANENT
    if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
        return UNCERTAIN if _lost_during_data(error) else TEMPORARY
    return PERMANENT


def _lost_during_data(error):
    """Whether the connection was lost inside SMTP's DATA step, where the server may have taken the message."""
    trace = error.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_name == "data" and code.co_filename == smtplib.__file__:
            return True
        trace = trace.tb_next
    return False


class Pace:
    """At most ``per_minute`` mails a minute, evenly spaced (0: no limit).

    A sender that fell behind (a batch's own queries, a slow server) may catch up by at most
    ``BURST`` mails, so the rate over a minute is the limit, never more.
    """

    BURST = 10

    def __init__(self, per_minute, sleep=time.sleep, clock=time.monotonic):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.sleep, self.clock = sleep, clock
        self.next_at = None

    def wait(self, block=True):
        """True when the next mail may go (after sleeping if ``block``); False: not yet (non-blocking)."""
        now = self.clock()
        if self.next_at is None:
            self.next_at = now
        if self.interval and now < self.next_at:
            if not block:
                return False
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(self.next_at, now - self.BURST * self.interval) + self.interval
        return True


class Sender:
    """Sends one campaign's queued mails; keeps the waits of temporary failures in memory."""

    def __init__(self, campaign, mails, pace, progress=None):
        self.campaign, self.mails, self.pace, self.progress = campaign, mails, pace, progress
        self.report = SendReport()
        self.retry_at = {}  # mail id -> monotonic time of its next try
        self.tries = Counter()  # temporary failures per mail in this run
        self.attempts = app_settings.CAMPAIGN_MAIL_ATTEMPTS

    def ready(self, limit):
        """Ids of queued mails that may be tried now, in primary-key order."""
        now = time.monotonic()
        waiting = [pk for pk, at in self.retry_at.items() if at > now]
        rows = self.mails.filter(state=MailState.QUEUED).exclude(pk__in=waiting).order_by("pk")
        return list(rows.values_list("pk", flat=True)[:limit])

    def next_retry_in(self):
        """Seconds until the next mail waiting after a temporary failure may go; None if none waits."""
        if not self.retry_at:
            return None
        return max(0.0, min(self.retry_at.values()) - time.monotonic())

    def send_batch(self, ids, block=True, stop=None):
        """Send these queued mails on one connection; returns how many were tried."""
        rows = list(OutgoingMail.objects.filter(pk__in=ids, state=MailState.QUEUED)
                    .select_related("user", "user__ssa_mail_language").order_by("pk"))
        links, expires_at = self.make_links(rows)
        renderer = mailing.Renderer(self.campaign, expires_at)
        sent, tried, previous = [], 0, None
        with mail_module.connection() as connection:
            for row in rows:
                if row.pk not in links:
                    continue
                if (stop is not None and stop.is_set()) or not self.pace.wait(block):
                    break
                claimed = claim(row.pk, sent_before=previous)
                previous = None
                if not claimed:
                    continue  # another run took it
                tried += 1
                self.retry_at.pop(row.pk, None)
                try:
                    message = renderer.message(row.user, links[row.pk], row.context.get("needs_enrolment", False))
                    connection.send_messages([message])
                except Exception as error:  # noqa: BLE001  (every backend error is sorted and recorded)
                    self.failed(row, error, connection)
                else:
                    previous = row
                    sent.append(row)
                if self.progress:
                    self.progress(1)
            if previous is not None:
                mark_sent([previous.pk])
        if sent:
            note_sent(self.campaign, sent)
        self.report.sent += len(sent)
        return tried + len(rows) - len(links)

    def make_links(self, rows):
        """{mail id: link} for rows whose reset is pending and whose user has an address; the others are
        failed as skipped. The new tokens' digests are written in one update."""
        requirements = {r.pk: r for r in ResetRequirement.objects.pending().filter(
            pk__in=[row.context.get("requirement") for row in rows], mode=ResetMode.COMPROMISED)}
        expires_at = timezone.now() + timedelta(seconds=app_settings.RESET_LINK_TTL)
        links, linked = {}, []
        for row in rows:
            requirement = requirements.get(row.context.get("requirement"))
            if requirement is None or not row.user.email:
                reason = "reset no longer pending" if requirement is None else "no address"
                OutgoingMail.objects.filter(pk=row.pk, state=MailState.QUEUED).update(
                    state=MailState.FAILED, last_error=f"skipped: {reason}")
                self.report.skipped += 1
                continue
            token, digest = tokens.new_token(reset_services.TOKEN_PURPOSE)
            requirement.link_digest = digest
            links[row.pk] = reset_services.link_url(row.context.get("base_url", ""), token)
            linked.append(requirement)
        if linked:
            update_by_pk(ResetRequirement, "link_digest", {r.pk: r.link_digest for r in linked})
            ResetRequirement.objects.filter(pk__in=[r.pk for r in linked]).update(
                link_expires_at=expires_at, link_used_at=None)
        return links, expires_at

    def failed(self, row, error, connection):
        kind = failure_kind(error)
        text = f"{kind}: {type(error).__name__}: {error}"[:1000]
        logger.warning("campaign mail %s failed (%s): %s", row.pk, kind, type(error).__name__)
        rows = OutgoingMail.objects.filter(pk=row.pk, state=MailState.SENDING)
        if kind == TEMPORARY:
            self.tries[row.pk] += 1
            if self.tries[row.pk] < self.attempts:
                rows.update(state=MailState.QUEUED, last_error=text)
                wait = app_settings.CAMPAIGN_MAIL_RETRY_SECONDS * 2 ** (self.tries[row.pk] - 1)
                self.retry_at[row.pk] = time.monotonic() + min(MAX_RETRY_WAIT, wait)
                self.report.retried += 1
            else:
                rows.update(state=MailState.FAILED, last_error=f"{text} (after {self.tries[row.pk]} attempts)"[:1000])
                self.report.failed += 1
        elif kind == PERMANENT:
            rows.update(state=MailState.FAILED, last_error=text)
            self.report.failed += 1
            self.report.permanent += 1
        else:
            rows.update(last_error=text)  # stays in ``sending``: reported, never resent
            self.report.uncertain += 1
        if kind != PERMANENT:
            reopen(connection)


def reopen(connection):
    """A fresh connection after one was refused or lost (the batch goes on with it)."""
    try:
        connection.close()
        connection.open()
    except Exception:  # noqa: BLE001  (the next send reports the server's state)
        logger.info("campaign mail: the mail server cannot be reached yet")


def claim(mail_id, sent_before=None):
    """In one statement: mark ``sent_before`` (the batch's previous mail) sent and claim ``mail_id``
    (queued → sending); True if this caller owns the send. One write a mail, so a kill leaves at most
    the mail in flight unsure. Plain SQL: the ORM's conditional update costs more than the write."""
    db = router.db_for_write(OutgoingMail)
    connection = connections[db]
    now = OutgoingMail._meta.get_field("claimed_at").get_db_prep_save(timezone.now(), connection)
    previous = sent_before.pk if sent_before is not None else None
    with connection.cursor() as cursor:
        cursor.execute(claim_sql(connection), [
            mail_id, MailState.SENDING, MailState.SENT, mail_id, now, mail_id, now, mail_id,
            mail_id, MailState.QUEUED, previous, MailState.SENDING])
        written = cursor.rowcount
    if written == (1 if previous is None else 2) or not written:
        return bool(written)
    return OutgoingMail.objects.using(db).filter(pk=mail_id, state=MailState.SENDING, claimed_at=now).exists()


def claim_sql(connection):
    quote = connection.ops.quote_name
    column = {name: quote(OutgoingMail._meta.get_field(name).column)
              for name in ("id", "state", "claimed_at", "sent_at", "attempts", "last_error")}
    return (f"UPDATE {quote(OutgoingMail._meta.db_table)} SET "
            f"{column['state']} = CASE WHEN {column['id']} = %s THEN %s ELSE %s END, "
            f"{column['claimed_at']} = CASE WHEN {column['id']} = %s THEN %s ELSE {column['claimed_at']} END, "
            f"{column['sent_at']} = CASE WHEN {column['id']} = %s THEN {column['sent_at']} ELSE %s END, "
            f"{column['attempts']} = CASE WHEN {column['id']} = %s THEN {column['attempts']} + 1 "
            f"ELSE {column['attempts']} END, {column['last_error']} = '' "
            f"WHERE ({column['id']} = %s AND {column['state']} = %s) "
            f"OR ({column['id']} = %s AND {column['state']} = %s)")


def mark_sent(ids):
    OutgoingMail.objects.filter(pk__in=ids, state=MailState.SENDING).update(
        state=MailState.SENT, sent_at=timezone.now(), last_error="")


def note_sent(campaign, rows):
    """The requirements' ``mailed_at``, the targets', one audit event each and ``mail_sent`` per mail."""
    now = timezone.now()
    ids = [row.pk for row in rows]
    ResetRequirement.objects.filter(pk__in=[row.context.get("requirement") for row in rows]).update(
        mailed_at=now, mail_count=F("mail_count") + 1)
    CampaignTarget.objects.filter(mail_id__in=ids).update(mailed_at=now)
    record_many(EventKind.CAMPAIGN, [row.user for row in rows], reason=campaign.audit_reason(),
                campaign=campaign, step="mailed")
    for row in rows:
        row.state, row.sent_at, row._campaign_noted = MailState.SENT, now, True
        signals.mail_sent.send(sender=OutgoingMail, mail=row)


def note_unnoted(campaign):
    """Note the mails a killed run marked sent but did not note yet; returns how many."""
    rows = list(OutgoingMail.objects.filter(campaign_targets__campaign=campaign, campaign_targets__mailed_at=None,
                                            state=MailState.SENT).select_related("user"))
    if rows:
        note_sent(campaign, rows)
    return len(rows)
