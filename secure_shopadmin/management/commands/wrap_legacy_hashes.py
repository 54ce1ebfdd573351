"""manage.py wrap_legacy_hashes: wrap every fast legacy password hash in argon2id now."""

import sys
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from ...audit.models import EventKind
from ...audit.services import record
from ...campaigns.tasks import QUEUE_RUNNERS, enqueue_wrap_range
from ...conf import SETTINGS_NAME, app_settings
from ...hashers.schemes import scheme_label
from ...hashers.wrapped import default_params
from ...hashers.wrapping import (
    ALREADY_WRAPPED,
    KEEP_SLOW,
    MALFORMED,
    WRAP,
    count_candidates,
    default_workers,
    pk_ranges,
    survey,
    wrap_all,
)

DEFAULT_TASK_SIZE = 5000


class Command(BaseCommand):
    help = _(
        "Wrap every stored fast legacy password hash (md5, sha1, phpass, ...) in argon2id, so the database "
        "holds nothing cheap to crack. Safe to run while the shop is online, to interrupt and to run again. "
        "Ends the sessions of the users it wraps."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=_("Only print how many users hold each scheme."))
        parser.add_argument("--workers", type=int, default=None,
                            help=_("Processes hashing in parallel (default: one per CPU, as many as half the "
                                   "available memory holds); memory is workers x the argon2 memory cost."))
        parser.add_argument("--distribute", action="store_true",
                            help=_("Queue the wrap as tasks of --task-size users each on the Celery or "
                                   "django.tasks runner (CAMPAIGN_RUNNER), for several machines to share."))
        parser.add_argument("--task-size", type=int, default=DEFAULT_TASK_SIZE,
                            help=_("Users per task with --distribute (default: %(default)d)."))
        parser.add_argument("--batch-size", type=int, default=None,
                            help=_("Users read per query (default: WRAP_BATCH_SIZE)."))
        parser.add_argument("--reason", default="", help=_("Why the wrap is run, kept in the audit trail."))
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help=_("Do not ask for confirmation."))
        parser.add_argument("--no-progress", action="store_false", dest="show_progress",
                            help=_("Do not draw the progress bar."))

    def handle(self, *args, dry_run, workers, batch_size, reason, interactive, show_progress, distribute,
               task_size, **options):
        batch_size = batch_size or app_settings.WRAP_BATCH_SIZE
        if (workers is not None and workers < 1) or batch_size < 1 or task_size < 1:
            raise CommandError(_("--workers, --batch-size and --task-size must be at least 1."))
        if distribute and app_settings.CAMPAIGN_RUNNER not in QUEUE_RUNNERS:
            raise CommandError(_('--distribute needs a task queue: set %(setting)s to "celery" or "django_tasks".')
                               % {"setting": f'{SETTINGS_NAME}["CAMPAIGN_RUNNER"]'})
        user_model = get_user_model()
        counts = survey(user_model)
        self.print_survey(counts)
        to_wrap = sum(counts[WRAP].values())
        if dry_run:
            return
        if not to_wrap:
            self.stdout.write(_("Nothing to wrap."))
            return
        params = default_params()
        workers = workers or default_workers(params)
        self.stdout.write(self.style.WARNING(
            ngettext(
                "Writing a password hash ends that user's sessions: %(count)d user will be logged out.",
                "Writing a password hash ends that user's sessions: %(count)d users will be logged out.",
                to_wrap,
            ) % {"count": to_wrap}
        ))
        if not distribute:
            self.stdout.write(_("argon2id time cost %(t)d, memory %(m)d KiB, %(p)d lanes; %(w)d worker(s), "
                                "at most %(mib).1f MiB of argon2 memory at once.") % {
                "t": params.time_cost, "m": params.memory_cost, "p": params.parallelism, "w": workers,
                "mib": workers * params.memory_cost / 1024})
        if interactive and sys.stdin.isatty() and input(_("Type 'yes' to continue: ")).strip() != "yes":
            raise CommandError(_("Cancelled: nothing was changed."))
        if distribute:
            self.distribute(user_model, params, task_size, reason)
            return
        self.run(user_model, params, workers, batch_size, reason, show_progress and options["verbosity"] > 0,
                 kept_slow=counts[KEEP_SLOW])

    def distribute(self, user_model, params, task_size, reason):
        """Queue one task per range of about ``task_size`` candidates; each task writes its own audit event."""
        ranges = pk_ranges(task_size, user_model)
        for after, upto in ranges:
            enqueue_wrap_range(after, upto, params.as_tuple(), reason)
        record(EventKind.HASH_WRAP, reason=reason, params=str(params), distributed=len(ranges), task_size=task_size,
               runner=app_settings.CAMPAIGN_RUNNER)
        self.stdout.write(self.style.SUCCESS(
            _("Queued %(tasks)d wrap tasks of about %(size)d users each on the %(runner)s runner "
              "(argon2id %(params)s). Each worker process hashes one task at a time; run the command again once "
              "they are done to wrap whatever is left.")
            % {"tasks": len(ranges), "size": task_size, "runner": app_settings.CAMPAIGN_RUNNER, "params": params}))

    def run(self, user_model, params, workers, batch_size, reason, show_progress, kept_slow):
        started = time.monotonic()
        bar = tqdm(total=count_candidates(user_model), unit=_("user"), file=sys.stderr, disable=not show_progress,
                   desc=_("Wrapping"), smoothing=0.1)
        report, interrupted = None, False
        try:
            report = wrap_all(params, user_model=user_model, batch_size=batch_size, workers=workers,
                              progress=bar.update)
        except KeyboardInterrupt:
            interrupted = True
            raise CommandError(_("Interrupted: every user written so far is wrapped; run the command again "
                                 "to wrap the rest.")) from None
        finally:
            bar.close()
            details = report.as_details() if report else {}
            details["kept_slow"] = dict(kept_slow + (report.kept_slow if report else Counter()))
            record(EventKind.HASH_WRAP, reason=reason, params=str(params), workers=workers,
                   seconds=round(time.monotonic() - started, 1), interrupted=interrupted, **details)
        self.print_report(report, time.monotonic() - started)

    def print_survey(self, counts):
        labels = {
            WRAP: _("to wrap"),
            KEEP_SLOW: _("slow, kept; upgraded at the next login"),
            MALFORMED: _("malformed, left alone"),
            ALREADY_WRAPPED: _("already wrapped"),
        }
        lines = [(scheme, count, labels[state]) for state in (WRAP, KEEP_SLOW, MALFORMED, ALREADY_WRAPPED)
                 for scheme, count in sorted(counts[state].items())]
        if not lines:
            self.stdout.write(_("No user holds a legacy or wrapped hash."))
            return
        names = [scheme_label(scheme) for scheme, _count, _label in lines]
        width = max(len(_("scheme")), *map(len, names))
        self.stdout.write(f"{_('scheme'):<{width}}  {_('users'):>9}  {_('action')}")
        for name, (_scheme, count, label) in zip(names, lines, strict=True):
            self.stdout.write(f"{name:<{width}}  {count:>9}  {label}")

    def print_report(self, report, seconds):
        wrapped = sum(report.wrapped.values())
        self.stdout.write(self.style.SUCCESS(
            _("Wrapped %(wrapped)d users in %(seconds).1f s (%(rate).1f users/s).")
            % {"wrapped": wrapped, "seconds": seconds, "rate": wrapped / seconds if seconds else 0.0}
        ))
        if report.changed_meanwhile:
            self.stdout.write(_("%(count)d users changed their password meanwhile and were left as they are.")
                              % {"count": report.changed_meanwhile})
        malformed = sum(report.malformed.values())
        if malformed:
            self.stdout.write(self.style.WARNING(
                _("%(count)d malformed legacy values were left alone; those users cannot log in with them.")
                % {"count": malformed}))
