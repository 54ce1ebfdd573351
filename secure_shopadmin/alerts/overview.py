from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..core.figures import Figure
from .models import LoginRecord

DAYS = 7


def figures():
    since = timezone.now() - timedelta(days=DAYS)
    count = LoginRecord.objects.filter(created_at__gte=since, new_environment=True).count()
    url = reverse("admin:secure_shopadmin_loginrecord_changelist") + "?new_environment__exact=1"
    return [Figure("unfamiliar_logins_7d", _("Logins from an unfamiliar environment in the last 7 days"), count, url)]
