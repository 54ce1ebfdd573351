"""Delete the guard's idle counters and spent unlock links, and django-axes' old access logs.

Run it daily (cron, a scheduler): the login path itself never deletes more than its own keys.
"""

from django.core.management.base import BaseCommand

from ...conf import app_settings
from ...lockout import services
from ...lockout.handler import GuardHandler


class Command(BaseCommand):
    help = "Delete lockout counters idle for LOCKOUT_RETENTION_DAYS, spent unlock links and old axes logs."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead of LOCKOUT_RETENTION_DAYS.")

    def handle(self, *args, days=None, **options):
        days = app_settings.LOCKOUT_RETENTION_DAYS if days is None else days
        pruned = services.prune(days)
        handler = GuardHandler()
        pruned["axes_access_logs"] = handler.reset_logs(age_days=days)
        pruned["axes_failure_logs"] = handler.reset_failure_logs(age_days=days)
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in pruned.items()))
