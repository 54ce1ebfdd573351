"""Campaign figures for the Security overview and ``security_report``."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..core.figures import Figure
from ..resets.models import MailState
from .models import CampaignState, CampaignTarget


def figures():
    open_targets = CampaignTarget.objects.filter(campaign__state=CampaignState.APPLIED)
    pending = (open_targets.filter(requirement__satisfied_at__isnull=True, requirement__cancelled_at__isnull=True)
               .values("campaign__name", "campaign_id").annotate(n=Count("pk")).order_by("campaign_id"))
    mail_left = open_targets.aggregate(
        failed=Count("pk", filter=Q(mail__state=MailState.FAILED)),
        uncertain=Count("pk", filter=Q(mail__state=MailState.SENDING)),
        not_started=Count("pk", filter=Q(required_at__isnull=True)),
    )
    return [
        Figure("campaign_pending_resets", _("Pending resets per open breach campaign"), None,
               breakdown={f"#{row['campaign_id']} {row['campaign__name']}": row["n"] for row in pending}),
        Figure("campaign_targets_not_started", _("Targets of open campaigns not processed yet"),
               mail_left["not_started"]),
        Figure("campaign_mails_failed", _("Campaign mails failed"), mail_left["failed"]),
        Figure("campaign_mails_uncertain", _("Campaign mails left in 'sending' by a stopped run"),
               mail_left["uncertain"]),
    ]
