"""Delete security events older than the retention period: the only way audit rows are deleted."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...audit.models import SecurityEvent
from ...conf import app_settings

BATCH = 5000


class Command(BaseCommand):
    help = "Delete security events older than AUDIT_RETENTION_DAYS (or --days). Safe to interrupt and rerun."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Override AUDIT_RETENTION_DAYS.")
        parser.add_argument("--dry-run", action="store_true", help="Only count.")

    def handle(self, days, dry_run, **options):
        days = days if days is not None else app_settings.AUDIT_RETENTION_DAYS
        if days is None:
            self.stdout.write("AUDIT_RETENTION_DAYS is None: nothing is pruned.")
            return
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        old = SecurityEvent.objects.filter(created_at__lt=cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} events older than {days} days would be deleted.")
            return
        deleted = 0
        while ids := list(old.order_by("pk").values_list("pk", flat=True)[:BATCH]):
            deleted += SecurityEvent.objects.filter(pk__in=ids)._prune()[0]
        self.stdout.write(f"Deleted {deleted} events older than {days} days.")
