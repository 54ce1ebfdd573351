"""The shop's security figures for scripts and monitoring; a non-zero exit gates a deploy."""

import json

from django.core import checks
from django.core.management.base import BaseCommand

from ... import overview

EXIT_THRESHOLD_FAILED = 3


def check_findings():
    found = checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
    return [{"id": c.id, "level": c.level, "message": str(c.msg), "hint": str(c.hint or "")}
            for c in found if (c.id or "").startswith("secure_shopadmin.")]


class Command(BaseCommand):
    help = (
        "Print the security figures (staff without two-factor authentication, hash schemes, lockouts, pending "
        "resets, unfamiliar logins, failures per day) and the app's check findings. Exits with status 3 when a "
        "figure is above its SECURE_SHOPADMIN['REPORT_THRESHOLDS'] limit."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON object on stdout.")

    def handle(self, json_output=False, **options):
        figures = overview.collect()
        failed = overview.failed_thresholds(figures)
        findings = check_findings()
        if options.get("json"):
            self.stdout.write(json.dumps({
                "figures": {f.key: f.breakdown or f.value for f in figures},
                "thresholds_failed": [{"key": f.key, "value": f.number, "limit": limit} for f, limit in failed],
                "checks": findings,
            }, indent=2, sort_keys=True, default=str))
        else:
            for figure in figures:
                self.stdout.write(f"{figure.label}: {figure.number}")
                for name, count in figure.labelled_breakdown:
                    self.stdout.write(f"    {name}: {count}")
            for finding in findings:
                self.stdout.write(f"{finding['id']}: {finding['message']}")
            for figure, limit in failed:
                self.stderr.write(self.style.ERROR(f"{figure.key} is {figure.number}, above its limit {limit}."))
        if failed:
            raise SystemExit(EXIT_THRESHOLD_FAILED)
