"""A campaign mail left: note it on the reset requirement and the target, and audit it."""

from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from ..audit.models import EventKind
from ..audit.services import record
from ..resets import signals
from ..resets.models import OutgoingMail, ResetRequirement
from . import mailing
from .models import Campaign, CampaignTarget


@receiver(signals.mail_sent, sender=OutgoingMail, dispatch_uid="secure_shopadmin.campaigns.mail_sent")
def note_campaign_mail(sender, mail, **kwargs):
    if mail.template != mailing.TEMPLATE or getattr(mail, "_campaign_noted", False):
        return  # the campaign's own sender noted its mails in bulk
    now = timezone.now()
    ResetRequirement.objects.filter(pk=mail.context.get("requirement")).update(
        mailed_at=now, mail_count=F("mail_count") + 1)
    CampaignTarget.objects.filter(mail_id=mail.pk).update(mailed_at=now)
    campaign = Campaign.objects.filter(pk=mail.context.get("campaign")).first()
    record(EventKind.CAMPAIGN, target=mail.user, campaign=campaign,
           reason=campaign.audit_reason() if campaign else "", step="mailed", mail=mail.pk)
