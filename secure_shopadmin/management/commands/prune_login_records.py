"""Retention of login history: delete old login records, stale known devices and dead session records."""

from django.core.management.base import BaseCommand, CommandError

from ...alerts import records
from ...conf import app_settings


class Command(BaseCommand):
    help = (
        "Delete login records older than LOGIN_RECORD_RETENTION_DAYS (each user's latest successful login "
        "is kept, so the first-login rule stays true), known devices not seen for DEVICE_COOKIE_AGE, and "
        "session records whose session expired without a logout. Run it daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"Keep this many days instead of the setting "
                                 f"({app_settings.LOGIN_RECORD_RETENTION_DAYS}).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Records deleted per query.")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, days, batch_size, dry_run, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        counts = records.prune(days=days, batch_size=batch_size, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {counts['records']} login records, {counts['devices']} known devices, "
                          f"{counts['sessions']} ended session records.")
