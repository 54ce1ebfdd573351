"""The outgoing-mail state machine: queue, claim with a compare-and-set, send, mark.

Generic: any feature queues a mail by template name; a template that needs a secret (a link
token) registers a *preparer*, run right before the send, which makes the secret, stores what
it must (a digest) and returns the extra template context. Nothing secret is stored in the row.

    queue(user, "reset_link", {"requirement": 42}, dedupe_key="reset:42:1")
    report = send_queued()          # in batches, one SMTP connection per batch
    report.uncertain                # rows a killed run left in ``sending``
"""

import logging
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from ..conf import app_settings
from ..core import mail
from . import signals
from .models import MailState, OutgoingMail

logger = logging.getLogger(__name__)

#: template name -> function(outgoing_mail) -> extra context dict, or None to drop the mail
PREPARERS = {}


class Skip(Exception):
    """Raised by a preparer when the mail is no longer needed (e.g. the reset was cancelled)."""


def preparer(template):
    """Decorator: register the function that makes ``template``'s secrets at send time."""

    def register(func):
        PREPARERS[template] = func
        return func

    return register


def queue(user, template, context=None, dedupe_key=None):
    """Queue one mail; with a ``dedupe_key`` already used, nothing is queued. Returns the row or None."""
    rows = queue_many([OutgoingMail(user=user, template=template, context=context or {}, dedupe_key=dedupe_key)])
    return rows[0] if rows else None


def queue_many(rows):
    """Queue many :class:`OutgoingMail` rows in bulk; rows whose ``dedupe_key`` exists are skipped."""
    keys = [row.dedupe_key for row in rows if row.dedupe_key]
    taken = set()
    if keys:
        taken = set(OutgoingMail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [row for row in rows if not row.dedupe_key or row.dedupe_key not in taken]
    return OutgoingMail.objects.bulk_create(fresh, batch_size=1000)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    requeued: int = 0
    uncertain: list = field(default_factory=list)


def requeue_failed(max_attempts=None, queryset=None):
    """Failed rows with attempts left go back to ``queued``; returns how many."""
    max_attempts = max_attempts or app_settings.MAIL_MAX_ATTEMPTS
    rows = (queryset if queryset is not None else OutgoingMail.objects.all())
    return rows.filter(state=MailState.FAILED, attempts__lt=max_attempts).update(state=MailState.QUEUED)


def uncertain(queryset=None):
    """Rows left in ``sending`` (a run was killed between claim and mark): they may have been sent."""
    rows = queryset if queryset is not None else OutgoingMail.objects.all()
    return list(rows.filter(state=MailState.SENDING).select_related("user").order_by("id"))


def claim(mail_id):
    """Compare-and-set queued → sending; True if this caller owns the send."""
    return OutgoingMail.objects.filter(pk=mail_id, state=MailState.QUEUED).update(
        state=MailState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1,
    ) == 1


def send_queued(queryset=None, *, batch_size=None, limit=None, progress=None, retry_failed=True):
    """Send queued mails in batches; returns a :class:`SendReport`.

    ``queryset`` narrows the rows (e.g. one template); ``progress(n)`` is called after each mail
    (a tqdm bar's ``update``). Safe to run twice at once: each row is sent by whoever claims it.
    """
    rows = queryset if queryset is not None else OutgoingMail.objects.all()
    batch_size = batch_size or app_settings.MAIL_BATCH_SIZE
    report = SendReport()
    if retry_failed:
        report.requeued = requeue_failed(queryset=rows)
    last_id = 0
    done = 0
    while limit is None or done < limit:
        take = batch_size if limit is None else min(batch_size, limit - done)
        pending = rows.filter(state=MailState.QUEUED, pk__gt=last_id).order_by("pk")
        ids = list(pending.values_list("pk", flat=True)[:take])
        if not ids:
            break
        last_id = ids[-1]
        with mail.connection() as connection:
            for mail_id in ids:
                _send_one(mail_id, connection, report)
                done += 1
                if progress:
                    progress(1)
    report.uncertain = uncertain(rows)
    return report


def send_now(rows):
    """Send these just-queued rows at once (a single user's mail in a request)."""
    if not rows:
        return SendReport()
    return send_queued(OutgoingMail.objects.filter(pk__in=[row.pk for row in rows]), retry_failed=False)


def _send_one(mail_id, connection, report):
    if not claim(mail_id):
        return  # another run took it
    row = OutgoingMail.objects.select_related("user", "user__ssa_mail_language").get(pk=mail_id)
    try:
        context = dict(row.context)
        prepare = PREPARERS.get(row.template)
        if prepare is not None:
            context.update(prepare(row))
        address = row.user.email
        if not address:
            raise Skip("no address")
        message = mail.build_mail(row.template, {"user": row.user, **context}, [address],
                                  mail.user_language(row.user))
        connection.send_messages([message])
    except Skip as reason:
        # not sent and never retried: attempts are set to the maximum
        OutgoingMail.objects.filter(pk=mail_id).update(
            state=MailState.FAILED, last_error=f"skipped: {reason}", attempts=app_settings.MAIL_MAX_ATTEMPTS,
        )
        report.skipped += 1
        return
    except Exception as error:  # noqa: BLE001  (any transport error is recorded and retried)
        OutgoingMail.objects.filter(pk=mail_id).update(
            state=MailState.FAILED, last_error=f"{type(error).__name__}: {error}"[:1000],
        )
        logger.error("outgoing mail %s (%s to user %s, attempt %s) failed: %s: %s", mail_id, row.template,
                     row.user_id, row.attempts, type(error).__name__, error)
        report.failed += 1
        return
    OutgoingMail.objects.filter(pk=mail_id).update(state=MailState.SENT, sent_at=timezone.now(), last_error="")
    report.sent += 1

    signals.mail_sent.send(sender=OutgoingMail, mail=row)
