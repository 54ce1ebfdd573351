"""Require password resets of many users, from a file, by username or of all staff.

    manage.py force_password_reset --users-file leaked.txt --reason "2024-05 breach" --notify
    manage.py force_password_reset --all-staff --mode compromised --reason "console breach" --notify
    manage.py force_password_reset --send-queued          # resume sending after a failure or a kill

Lines of the file are usernames or e-mail addresses; blank lines and ``#`` comments are skipped,
duplicates counted once. Unknown, ambiguous (an address of several users) and non-UTF-8 lines are
listed and nothing is applied unless ``--ignore-unknown``. Each batch is one transaction; a rerun
skips users who already have a pending requirement and never queues a second mail for one.
"""


from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from ...campaigns.userlist import read_lines, resolve
from ...conf import app_settings
from ...core.links import configured_base_url
from ...resets import services
from ...resets.models import OPERATOR_CATEGORIES, MailState, OutgoingMail, ResetMode

NO_SITE_URL = ('The reset mails carry links, which need the site\'s address: set SECURE_SHOPADMIN["SITE_URL"] '
               '(e.g. "https://shop.example") or pass --base-url.')


class Command(BaseCommand):
    help = "Require password resets (per user or in bulk), end sessions and mail reset links."

    def add_arguments(self, parser):
        who = parser.add_argument_group("whom")
        who.add_argument("--users-file", help="file with one username or e-mail address a line ('-': stdin)")
        who.add_argument("--usernames", nargs="+", default=[], metavar="USERNAME")
        who.add_argument("--all-staff", action="store_true", help="every staff user, superusers included")
        parser.add_argument("--mode", choices=ResetMode.values, default=None,
                            help="compromised (default: password unusable, mailed link) or change")
        parser.add_argument("--category", choices=[value for value, _label in OPERATOR_CATEGORIES], default=None,
                            help="what the users are told: compromise (default in compromised mode), policy "
                                 "(default in change mode) or breach (only when the shop's data leaked)")
        parser.add_argument("--reason", default="", help="kept in the audit trail (required to require)")
        parser.add_argument("--notify", action="store_true", help="queue and send the reset mails")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
        parser.add_argument("--ignore-unknown", action="store_true",
                            help="apply to the users found even if some lines are unknown")
        parser.add_argument("--send-queued", action="store_true",
                            help="send queued reset mails (retrying failed ones) and list uncertain ones")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--base-url", default="", help="scheme and host of links in mails")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        self.progress_off = options["no_progress"] or options["verbosity"] < 1
        selected = options["users_file"] or options["usernames"] or options["all_staff"]
        if not selected and not options["send_queued"]:
            raise CommandError("Name users: --users-file, --usernames or --all-staff (or use --send-queued).")
        if selected:
            self.require(options)
        if options["send_queued"] or (selected and options["notify"] and not options["dry_run"]):
            self.send()

    def require(self, options):
        if not options["dry_run"] and not options["reason"].strip():
            raise CommandError("--reason is required: it is kept in the audit trail (a --dry-run needs none).")
        if options["notify"] and not (options["base_url"] or configured_base_url()):
            if not options["dry_run"]:
                raise CommandError(NO_SITE_URL + " Nothing was changed.")
            self.stdout.write(self.style.WARNING(NO_SITE_URL))
        user_model = get_user_model()
        entries, report = [], {"lines": 0, "blank": 0, "duplicates": 0, "undecodable": []}
        if options["users_file"]:
            try:
                entries, report = read_lines(options["users_file"])
            except OSError as error:
                raise CommandError(f"Cannot read {options['users_file']}: {error}") from None
            self.stdout.write(f"{options['users_file']}: {report['lines']} lines read: {report['blank']} blank or "
                              f"comments, {report['duplicates']} duplicates, {len(report['undecodable'])} not UTF-8.")
        given = list(dict.fromkeys(options["usernames"]))
        if given:
            self.stdout.write(f"--usernames: {len(given)} given"
                              + (f" ({len(options['usernames']) - len(given)} repeated)."
                                 if len(given) < len(options["usernames"]) else "."))
        entries += [u for u in given if u not in entries]
        pks, unknown, ambiguous = resolve(entries)
        if options["all_staff"]:
            staff = set(user_model._default_manager.filter(is_staff=True).values_list("pk", flat=True))
            self.stdout.write(f"--all-staff: {len(staff)} staff users.")
            pks = sorted(set(pks) | staff)
        bad = [f"line {n}: not UTF-8" for n in report["undecodable"]]
        bad += [f"unknown: {entry}" for entry in unknown]
        bad += [f"ambiguous (several users have this address): {entry}" for entry in ambiguous]
        for line in bad:
            self.stdout.write(self.style.WARNING(line))
        if bad and not options["ignore_unknown"]:
            raise CommandError(f"{len(bad)} lines could not be matched to one user; nothing was changed. "
                               "Fix the file, or rerun with --ignore-unknown to apply to the others.")
        mode = options["mode"] or app_settings.RESET_DEFAULT_MODE
        result = services.require_reset(
            pks, mode=mode, category=options["category"], reason=options["reason"], notify=options["notify"],
            base_url=options["base_url"], batch_size=options["batch_size"], dry_run=options["dry_run"],
            progress=self.bar(len(pks), "users"),
        )
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(
                f"Dry run, nothing changed: {len(pks)} users matched; would require {len(result.required)} ({mode}), "
                f"{len(result.already_pending)} already pending."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"{len(pks)} users matched: required {len(result.required)} ({mode}), "
            f"{len(result.upgraded)} upgraded to compromised, {len(result.already_pending)} already pending; "
            f"{result.mails_queued} mails queued."))

    def send(self):
        waiting = OutgoingMail.objects.filter(template__in=services.RESET_MAILS,
                                              state__in=[MailState.QUEUED, MailState.FAILED])
        without_base = Q(context__base_url="") | ~Q(context__has_key="base_url")
        if not configured_base_url() and waiting.filter(without_base).exists():
            raise CommandError(NO_SITE_URL + " Nothing was sent; the mails stay queued.")
        queued = waiting.count()
        report = services.send_reset_mails(progress=self.bar(queued, "mails"))
        self.stdout.write(f"Mails: {report.sent} sent, {report.failed} failed (retried on the next run), "
                          f"{report.skipped} no longer needed.")
        if report.uncertain:
            self.stdout.write(self.style.WARNING(
                f"{len(report.uncertain)} mails were being sent when an earlier run stopped; they may or may "
                "not have left and are not resent automatically (admin: Outgoing mails → queue again or "
                "mark as sent):"))
            for row in report.uncertain:
                self.stdout.write(f"  mail {row.pk} {row.template} to {row.user.get_username()} "
                                  f"(claimed {row.claimed_at:%Y-%m-%d %H:%M:%S})")

    def bar(self, total, unit):
        if self.progress_off or not total:
            return None
        progress = tqdm(total=total, unit=f" {unit}", file=self.stderr._out, leave=True)
        return progress.update
