"""Export the audit trail as CSV or JSON Lines, for a SIEM or an auditor."""

import csv
import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ...audit.models import SecurityEvent
from ...core.spreadsheet import spreadsheet_safe

FIELDS = ("id", "created_at", "kind", "actor_username", "target_username", "ip", "reason", "details")


class Command(BaseCommand):
    help = "Write security events to stdout (or --output) as CSV or JSON Lines, oldest first."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
        parser.add_argument("--since", help="ISO date-time; only events at or after it.")
        parser.add_argument("--kind", action="append", help="Only these kinds (repeatable).")
        parser.add_argument("--output", help="A file to write instead of stdout.")

    def moment(self, since):
        try:
            moment = parse_datetime(since) or parse_date(since)
        except ValueError:
            moment = None
        if moment is None:
            raise CommandError(_("--since %(value)r is not an ISO date or date-time.") % {"value": since})
        if not isinstance(moment, datetime.datetime):
            moment = datetime.datetime.combine(moment, datetime.time())
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def handle(self, format, since, kind, output, **options):
        events = SecurityEvent.objects.order_by("created_at", "pk")
        if since:
            events = events.filter(created_at__gte=self.moment(since))
        if kind:
            events = events.filter(kind__in=kind)
        stream = open(output, "w", newline="", encoding="utf-8") if output else self.stdout
        try:
            writer = csv.writer(stream) if format == "csv" else None
            if writer:
                writer.writerow(FIELDS)
            for row in events.values_list(*FIELDS).iterator(chunk_size=2000):
                record = dict(zip(FIELDS, row, strict=True))
                record["created_at"] = record["created_at"].isoformat()
                if writer:
                    writer.writerow([spreadsheet_safe(json.dumps(v) if k == "details" else v)
                                     for k, v in record.items()])
                else:
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            if output:
                stream.close()
