from collections import Counter
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..core.figures import Figure
from .models import AlertDecision, LoginOutcome, LoginRecord, RiskChallenge
from .risk import REASON_LABELS

DAYS = 7


def figures():
    """Alerts mailed for unfamiliar environments, and apart from them the new environments learned
    without a mail (a first login, a mailed link, or an alert withheld), by reason."""
    changelist = reverse("admin:secure_shopadmin_loginrecord_changelist")
    since = timezone.now() - timedelta(days=DAYS)
    unfamiliar = LoginRecord.objects.filter(created_at__gte=since,
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
        *risk_figures(since),
    ]


def by_reason(reason_lists):
    """{reason: logins that had it} (a login with several reasons counts under each)."""
    counts = Counter(name for reasons in reason_lists for name in reasons.split(",") if name)
    return dict(counts.most_common())


def risk_figures(since):
    """Risk codes issued, passed and failed, and blocked logins, by reason, since ``since``."""
    now = timezone.now()
    challenges = RiskChallenge.objects.filter(created_at__gte=since)
    failed = challenges.filter(passed_at__isnull=True).filter(
        Q(failures__gt=0) | Q(expires_at__lte=now) | Q(denied_at__isnull=False))
    blocks = LoginRecord.objects.filter(created_at__gte=since, outcome=LoginOutcome.BLOCKED)
    rows = [
        ("risk_codes_issued_7d", _("Risky logins asked for a mailed code in the last 7 days, by reason"), challenges),
        ("risk_codes_passed_7d", _("Risky logins that gave the mailed code, by reason"),
         challenges.filter(passed_at__isnull=False)),
        ("risk_codes_failed_7d", _("Risky logins that did not give the code (wrong, expired or disowned), by reason"),
         failed),
    ]
    labels = {name: str(label) for name, label in REASON_LABELS.items()}
    found = [Figure(key, label, None, breakdown=by_reason(rows_.values_list("reasons", flat=True)), labels=labels)
             for key, label, rows_ in rows]
    url = reverse("admin:secure_shopadmin_loginrecord_changelist") + f"?outcome__exact={LoginOutcome.BLOCKED}"
    found.append(Figure("risk_blocks_7d", _("Risky logins blocked in the last 7 days, by reason"), None, url,
                        breakdown=by_reason(blocks.values_list("risk_reasons", flat=True)), labels=labels))
    return found
