"""manage.py run_campaign ID: do (the rest of) an applied breach campaign's work, with a progress bar per phase.

    manage.py run_campaign 3                    # resumable: run it again after a kill or an error
    manage.py run_campaign 3 --workers 2 --mails-per-minute 600
    manage.py run_campaign 3 --apply            # apply a draft from the shell first

Prints what it did, the mails a killed earlier run left in ``sending`` (never resent
automatically) and the addresses whose mail failed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from tqdm import tqdm

from ...campaigns import phases, runner, services
from ...campaigns.models import Campaign, CampaignState
from ...core.links import configured_base_url


class Command(BaseCommand):
    help = _("Run an applied breach campaign in three phases: contain (require resets, end sessions), mail "
             "(from the first contained batch on), wrap the former legacy hashes.")

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--apply", action="store_true", help=_("Apply the campaign first if it is a draft."))
        parser.add_argument("--batch-size", type=int, default=None, help=_("Targets per transaction."))
        parser.add_argument("--workers", type=int, default=None, help=_("Processes hashing argon2 for the wrap."))
        parser.add_argument("--mails-per-minute", type=int, default=None,
                            help=_("Throttle the mails (default: CAMPAIGN_MAILS_PER_MINUTE; 0: no limit)."))
        parser.add_argument("--no-mail", action="store_true", help=_("Do not send the queued mails in this run."))
        parser.add_argument("--force", action="store_true",
                            help=_("Take over even if another run seems alive (its heartbeat is recent)."))
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, campaign_id, **options):
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(_("No campaign %(id)d.") % {"id": campaign_id})
        if campaign.send_mails and not options["no_mail"] and not (campaign.base_url or configured_base_url()):
            raise CommandError(_('The campaign mails links, which need the site\'s address: set '
                                 'SECURE_SHOPADMIN["SITE_URL"] or the campaign\'s base URL. Nothing was done.'))
        if campaign.state == CampaignState.DRAFT:
            if not options["apply"]:
                raise CommandError(_("Campaign %(id)d is a draft: apply it in the admin, or pass --apply.")
                                   % {"id": campaign_id})
            services.apply(campaign)
        show = not options["no_progress"] and options["verbosity"] > 0
        bars = self.phase_bars(campaign, show, send=not options["no_mail"])
        try:
            report = runner.run(campaign, batch_size=options["batch_size"], workers=options["workers"],
                                send=not options["no_mail"], mails_per_minute=options["mails_per_minute"],
                                force=options["force"], target_progress=bars[phases.CONTAIN].update,
                                mail_progress=bars[phases.MAIL].update, wrap_progress=bars[phases.WRAP].update)
        except runner.RunRefused as refusal:
            raise CommandError(str(refusal)) from None
        finally:
            for bar in bars.values():
                bar.close()
        self.print_report(campaign, report)

    def phase_bars(self, campaign, show, send):
        """One tqdm bar per phase, in their order, sized by what is left of each."""
        targets = campaign.targets.filter(user__isnull=False)
        left = {
            phases.CONTAIN: targets.filter(required_at__isnull=True).count(),
            phases.MAIL: (runner.campaign_mails(campaign).filter(state__in=["queued", "failed"]).count()
                          + targets.filter(required_at__isnull=True).count()) if send and campaign.send_mails else 0,
            phases.WRAP: targets.filter(wrap_state="").count() if campaign.wrap_hashes else 0,
        }
        labels = phase_labels()
        return {name: tqdm(total=left[name], desc=f"{labels[name]:<8}", unit=_(" targets"), position=position,
                           file=self.stderr._out, disable=not show, dynamic_ncols=True)
                for position, name in enumerate(phases.PHASES)}

    def print_report(self, campaign, report):
        self.stdout.write(self.style.SUCCESS(_(
            "Campaign %(id)d: contain: %(batches)d batches, %(required)d resets required (%(pending)d already "
            "pending); mail: %(queued)d queued, %(sent)d sent, %(retried)d temporary failures tried again, "
            "%(failed)d failed (%(permanent)d refused for good), %(skipped)d no longer needed; wrap: %(wrapped)d "
            "former hashes wrapped.") % {
            "id": campaign.pk, "batches": report.batches, "required": report.required,
            "pending": report.already_pending, "wrapped": report.wrapped, "queued": report.mails_queued,
            "sent": report.sent, "retried": report.retried, "failed": report.failed,
            "permanent": report.permanent, "skipped": report.skipped}))
        labels = phase_labels()
        timings = [_("%(phase)s %(seconds).1f s") % {"phase": labels[name], "seconds": report.seconds[name]}
                   for name in phases.PHASES if name in report.seconds]
        if timings:
            self.stdout.write(_("Time per phase: %(timings)s.") % {"timings": ", ".join(timings)})
        if report.wrap_tasks:
            self.stdout.write(_("The wrap was queued as %(tasks)d tasks for the task queue's workers; the "
                                "campaign's run is finished when the last one is done.") % {"tasks": report.wrap_tasks})
        if report.stopped == "closed":
            self.stdout.write(self.style.WARNING(_("The campaign was closed during the run; it stopped.")))
        if report.uncertain:
            self.stdout.write(self.style.WARNING(_(
                "%(count)d mails were being sent when an earlier run stopped: they may or may not have left and "
                "are not resent automatically (admin: Outgoing mails → queue again or mark as sent):")
                % {"count": len(report.uncertain)}))
            for row in report.uncertain:
                self.stdout.write(f"  sending: mail {row['mail']} to {row['username']} (claimed {row['claimed_at']})")
        if report.failed_addresses:
            self.stdout.write(self.style.WARNING(_(
                "%(count)d mails failed (a temporary failure is tried again by the next run; a refusal is not):")
                % {"count": len(report.failed_addresses)}))
            for row in report.failed_addresses:
                self.stdout.write(f"  failed: {row['username']} <{row['email']}>: {row['error']}")


def phase_labels():
    return {phases.CONTAIN: pgettext("campaign phase", "Contain"), phases.MAIL: pgettext("campaign phase", "Mail"),
            phases.WRAP: pgettext("campaign phase", "Wrap")}
