"""The console's figures on the Security overview: refusals by network, grants, re-authentication."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit.models import EventKind, SecurityEvent
from ..core.figures import Figure

DAYS = 7


def figures():
    since = timezone.now() - timedelta(days=DAYS)
    counts = SecurityEvent.objects.filter(created_at__gte=since).aggregate(
        refused=Count("pk", filter=Q(kind=EventKind.NETWORK_REFUSED)),
        grants=Count("pk", filter=Q(kind=EventKind.PRIVILEGE_GRANT)),
        reauth_failed=Count("pk", filter=Q(kind=EventKind.REAUTH) & ~Q(details__outcome="ok")),
    )
    url = reverse("admin:secure_shopadmin_securityevent_changelist") + "?kind__exact="
    return [
        Figure("console_network_refused_7d", _("Console requests refused by network in the last 7 days"),
               counts["refused"], url + EventKind.NETWORK_REFUSED),
        Figure("privilege_grants_7d", _("Privileges granted in the last 7 days"), counts["grants"],
               url + EventKind.PRIVILEGE_GRANT),
        Figure("reauth_failed_7d", _("Failed re-authentications in the last 7 days"), counts["reauth_failed"],
               url + EventKind.REAUTH),
    ]
