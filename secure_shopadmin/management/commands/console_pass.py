"""Print a one-time link that lets one browser reach the console from outside CONSOLE_ALLOWED_NETWORKS."""

import getpass

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ...console import passes


class Command(BaseCommand):
    help = ("Print a single-use break-glass link: the browser that opens it may reach the console from any "
            "network (password and second factor still apply). Audited and mailed to SECURITY_CONTACTS.")

    def add_arguments(self, parser):
        parser.add_argument("--reason", required=True, help="Why the console is needed from outside (audited).")
        parser.add_argument("--by", default="", help="Who asked for it (default: the operating-system user).")

    def handle(self, *args, reason, by, **options):
        reason = reason.strip()
        if not reason:
            raise CommandError("Give a --reason: it is written to the audit trail and mailed.")
        issued_by = by.strip() or _os_user()
        try:
            url = passes.issue(issued_by=issued_by, reason=reason)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        self.stdout.write(url)


def _os_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
