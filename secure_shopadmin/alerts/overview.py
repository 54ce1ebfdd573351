from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..core.figures import Figure
from .models import AlertDecision, LoginRecord

DAYS = 7


def figures():
    """Alerts mailed for unfamiliar environments, and apart from them the new environments learned
    without a mail (a first login, a mailed link, or an alert withheld), by reason."""
    changelist = reverse("admin:secure_shopadmin_loginrecord_changelist")
    unfamiliar = LoginRecord.objects.filter(created_at__gte=timezone.now() - timedelta(days=DAYS),
                                            new_environment=True)
    counts = dict(unfamiliar.values_list("alert").annotate(count=Count("id")).order_by("alert"))
    mailed = counts.pop(AlertDecision.SENT, 0)
    by_decision = {decision: counts[decision] for decision in AlertDecision.values if decision in counts}
    return [
        Figure("unfamiliar_logins_7d",
               _("Logins from an unfamiliar environment in the last 7 days (alert mailed)"), mailed,
               f"{changelist}?alert__exact={AlertDecision.SENT}"),
        Figure("unalerted_new_environments_7d",
               _("New environments learned without an alert in the last 7 days, by reason"), None,
               f"{changelist}?new_environment__exact=1",
               breakdown=by_decision, labels=dict(AlertDecision.choices)),
    ]
