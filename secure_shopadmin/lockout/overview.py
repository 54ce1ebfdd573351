from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..core.figures import Figure
from . import clock
from .models import Counter, DailyFailures, Rule


def figures():
    now = clock.now()
    locked = {}
    for rule in Counter.objects.locked(now).values_list("rule", flat=True):
        label = str(Rule(rule).label)
        locked[label] = locked.get(label, 0) + 1
    return [Figure("active_lockouts", _("Active locks and delays, by rule"), None,
                   reverse("admin:secure_shopadmin_counter_changelist"), breakdown=locked)]


def daily_failures(days=14):
    """[(date, wrong passwords and codes)] for the last ``days`` days, today last."""
    today = timezone.localtime(clock.now()).date()
    first = today - timedelta(days=days - 1)
    counts = dict(DailyFailures.objects.filter(day__gte=first).values_list("day", "failures"))
    return [(day.isoformat(), counts.get(day, 0)) for day in (first + timedelta(n) for n in range(days))]
