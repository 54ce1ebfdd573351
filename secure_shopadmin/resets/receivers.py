from django.dispatch import receiver

from . import email_change, services, signals
from .models import OutgoingMail

email_change.connect()


@receiver(signals.mail_sent, sender=OutgoingMail, dispatch_uid="secure_shopadmin.resets.mail_sent")
def note_reset_mail(sender, mail, **kwargs):
    services.mail_sent(mail)
