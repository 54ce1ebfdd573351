"""The shop's security figures for scripts and monitoring; a non-zero exit gates a deploy."""

import json

from django.core import checks
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ... import overview
from ...console import roster

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
        parser.add_argument("--no-snapshot", action="store_true",
                            help="Compare with the last report's snapshot but do not store a new one.")

    def handle(self, json_output=False, **options):
        figures = overview.collect()
        failed = overview.failed_thresholds(figures)
        findings = check_findings()
        admins = roster.report(store=not options.get("no_snapshot"))
        if options.get("json"):
            self.stdout.write(json.dumps({
                "figures": {f.key: f.breakdown or f.value for f in figures},
                "thresholds_failed": [{"key": f.key, "value": f.number, "limit": limit} for f, limit in failed],
                "checks": findings,
                "admin_accounts": list(admins.accounts.values()),
                "admin_changes": {"since": admins.since, "snapshot_untrusted": admins.tampered,
                                  "changes": admins.changes},
            }, indent=2, sort_keys=True, default=str))
        else:
            for figure in figures:
                self.stdout.write(f"{figure.label}: {figure.number}")
                for name, count in figure.labelled_breakdown:
                    self.stdout.write(f"    {name}: {count}")
            for finding in findings:
                self.stdout.write(f"{finding['id']}: {finding['message']}")
            self.write_roster(admins)
            for figure, limit in failed:
                self.stderr.write(self.style.ERROR(f"{figure.key} is {figure.number}, above its limit {limit}."))
        if failed:
            raise SystemExit(EXIT_THRESHOLD_FAILED)

    def write_roster(self, admins):
        self.stdout.write(_("Accounts holding admin rights: %(count)d") % {"count": len(admins.accounts)})
        for account in admins.accounts.values():
            flags = [name for name in ("is_superuser", "is_staff", "is_active") if account[name]]
            self.stdout.write(_("    %(username)s (%(flags)s) groups: %(groups)s; permissions: %(count)d") % {
                "username": account["username"], "flags": ", ".join(flags),
                "groups": ", ".join(account["groups"]) or "-", "count": len(account["permissions"])})
        if admins.tampered:
            self.stderr.write(self.style.ERROR(_(
                "The last report's snapshot does not match its seal (edited in the database, or sealed under "
                "another SECRET_KEY): not trusted; every account is listed as new.")))
        if admins.since is None:
            self.stdout.write(_("Changes: no trusted earlier report; every account is new."))
        else:
            self.stdout.write(_("Changes since the last report (%(time)s): %(count)d") % {
                "time": f"{admins.since:%Y-%m-%d %H:%M %Z}", "count": len(admins.changes)})
        marks = {"added": "+", "removed": "-", "changed": "~"}
        for change in admins.changes:
            fields = "; ".join(f"{name}: {before} -> {after}" for name, (before, after) in change["fields"].items())
            self.stdout.write(f"    {marks[change['change']]} {change['username']}{': ' + fields if fields else ''}")
