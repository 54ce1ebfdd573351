"""manage.py run_campaign ID: do (the rest of) an applied breach campaign's work, with a progress bar.

    manage.py run_campaign 3                    # resumable: run it again after a kill or an error
    manage.py run_campaign 3 --workers 2 --mails-per-minute 600
    manage.py run_campaign 3 --apply            # apply a draft from the shell first

Prints what it did, the mails a killed earlier run left in ``sending`` (never resent
automatically) and the addresses whose mail failed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ...campaigns import runner, services
from ...campaigns.models import Campaign, CampaignState
from ...core.links import configured_base_url


class Command(BaseCommand):
    help = _("Run an applied breach campaign: require resets, end sessions, wrap legacy hashes, send its mails.")

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
        todo = campaign.targets.filter(required_at__isnull=True).count()
        targets_bar = tqdm(total=todo, unit=_(" targets"), file=self.stderr._out, disable=not show)
        mails_bar = tqdm(total=runner.campaign_mails(campaign).filter(state__in=["queued", "failed"]).count() or None,
                         unit=_(" mails"), file=self.stderr._out, disable=not show)
        try:
            report = runner.run(campaign, batch_size=options["batch_size"], workers=options["workers"],
                                send=not options["no_mail"], mails_per_minute=options["mails_per_minute"],
                                force=options["force"], target_progress=targets_bar.update,
                                mail_progress=mails_bar.update)
        except runner.RunRefused as refusal:
            raise CommandError(str(refusal)) from None
        finally:
            targets_bar.close()
            mails_bar.close()
        self.print_report(campaign, report)

    def print_report(self, campaign, report):
        self.stdout.write(self.style.SUCCESS(_(
            "Campaign %(id)d: %(batches)d batches; %(required)d resets required (%(pending)d already pending), "
            "%(wrapped)d hashes wrapped, %(queued)d mails queued; mails: %(sent)d sent, %(failed)d failed, "
            "%(skipped)d no longer needed.") % {
            "id": campaign.pk, "batches": report.batches, "required": report.required,
            "pending": report.already_pending, "wrapped": report.wrapped, "queued": report.mails_queued,
            "sent": report.sent, "failed": report.failed, "skipped": report.skipped}))
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
                "%(count)d mails failed (retried on the next run up to MAIL_MAX_ATTEMPTS):")
                % {"count": len(report.failed_addresses)}))
            for row in report.failed_addresses:
                self.stdout.write(f"  failed: {row['username']} <{row['email']}>: {row['error']}")
