"""Phase 2, mail: the campaign's reset mails, sent from the first contained batch on.

The sender runs in a thread of its own (its own database connection) while containment goes on,
so the first mail leaves seconds after the run starts, not after the last batch. Where a second
connection would not see the run's work or would lock it (SQLite, or a run inside a transaction),
it sends one batch between two contained batches instead, and the rest afterwards.
"""

import sys
import threading

from django.db import connection, connections

from ..conf import app_settings
from ..resets.models import MailState, OutgoingMail
from . import contain, mailing
from .sending import Pace, Sender, note_unnoted

POLL_SECONDS = 0.2
SWITCH_INTERVAL = 0.0005


def campaign_mails(campaign):
    return OutgoingMail.objects.filter(template=mailing.TEMPLATE, context__campaign=campaign.pk)


def concurrent_sending_possible():
    return connection.vendor != "sqlite" and not connection.in_atomic_block


class MailPhase:
    """Sends the campaign's queued mails until containment is over and none is left (or ``stop`` is set)."""

    def __init__(self, campaign, per_minute, progress=None, sleep=None):
        self.campaign, self.mails, self.queued, self.queued_upto = campaign, campaign_mails(campaign), 0, 0
        pace = Pace(per_minute, sleep) if sleep else Pace(per_minute)
        self.sender = Sender(campaign, self.mails, pace, progress)
        self.contained, self.stop = threading.Event(), threading.Event()
        self.thread, self.error = None, None
        self.requeued = self.mails.filter(state=MailState.FAILED, last_error__startswith="temporary").update(
            state=MailState.QUEUED)  # an earlier run gave up on them: try again
        note_unnoted(campaign)

    @property
    def report(self):
        return self.sender.report

    def step(self, block=True):
        """Queue the mails of the targets contained since, then send one batch of the mails ready now;
        returns how many were queued and tried."""
        queued, self.queued_upto = contain.queue_mails(self.campaign, app_settings.MAIL_BATCH_SIZE, self.queued_upto)
        self.queued += queued
        ids = self.sender.ready(app_settings.MAIL_BATCH_SIZE)
        return queued + (self.sender.send_batch(ids, block=block, stop=self.stop) if ids else 0)

    def run(self):
        while not self.stop.is_set():
            # read before the step: a batch contained by then is committed, so the step queues its mails
            # (read after, the last batch could end containment between the two and never be queued)
            contained = self.contained.is_set()
            if self.step():
                continue
            if not contained:
                self.stop.wait(POLL_SECONDS)  # the next contained batch
                continue
            queued = set(self.mails.filter(state=MailState.QUEUED).values_list("pk", flat=True))
            self.sender.retry_at = {pk: at for pk, at in self.sender.retry_at.items() if pk in queued}
            wait = self.sender.next_retry_in()
            if not queued or wait is None:
                return
            self.stop.wait(min(max(wait, 0.01), 1.0))

    def start_thread(self):
        def body():
            try:
                self.run()
            except BaseException as error:  # noqa: BLE001  (re-raised in the run's thread by finish())
                self.error = error
            finally:
                connections.close_all()  # this thread's own connections
                sys.setswitchinterval(switch_interval)

        # each mail waits on the database and the mail server several times; while containment keeps
        # the interpreter busy, each wait would end with up to 5 ms (the default) to get it back
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
        self.thread = threading.Thread(target=body, name="campaign-mail", daemon=True)
        self.thread.start()

    def wait(self, heartbeat, every=5.0):
        """Containment is over: send the rest (here, or by waiting for the thread, calling ``heartbeat()``
        between waits; it returns False to stop the phase)."""
        self.contained.set()
        if self.thread is None:
            self.run()
        while self.thread is not None and self.thread.is_alive():
            self.thread.join(every)
            if not heartbeat():
                self.stop.set()
        self.raise_error()

    def halt(self):
        """Stop the sender (the run is failing); its mail in flight ends first."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def raise_error(self):
        if self.error is not None:
            raise self.error
