"""manage.py import_legacy_users FILE.csv --scheme SCHEME: create members from an old platform's export."""

import os

from django.contrib.auth.hashers import get_hashers_by_algorithm
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from ...audit.models import EventKind
from ...audit.services import record
from ...hashers import WRAPPED_HASHER_PATH
from ...hashers.importing import ImportFileError, apply, plan, read_members
from ...hashers.peppers import pepper
from ...hashers.schemes import SCHEMES, hasher_path, legacy_hasher, scheme_label

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = _(
        "Create members from an old shop's CSV export (columns: username, email, hash, salt, optional "
        "first_name, last_name), keeping each member's old password hash. Every row is checked first; "
        "any error and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The CSV file, with a header row."))
        parser.add_argument("--scheme", required=True, choices=SCHEMES, help=_("How the old platform hashed: %(list)s.")
                            % {"list": "; ".join(scheme_label(scheme) for scheme in SCHEMES)})
        parser.add_argument("--dry-run", action="store_true", help=_("Check every row, write nothing."))
        parser.add_argument("--update", action="store_true",
                            help=_("For existing users, replace a password that is still legacy, wrapped or "
                                   "unusable; a password changed since is never touched."))
        parser.add_argument("--reason", default="", help=_("Why the import is run, kept in the audit trail."))
        parser.add_argument("--encoding", default="utf-8-sig", help=_("The file's encoding (default: UTF-8)."))
        parser.add_argument("--delimiter", default=",", help=_("The field separator (default: ',')."))

    def handle(self, *args, file, scheme, dry_run, update, reason, encoding, delimiter, **options):
        hasher = legacy_hasher(scheme)
        self.require_hasher(hasher.algorithm, hasher_path(type(hasher)))
        try:
            for name in getattr(hasher, "peppers", ()):
                pepper(name)
        except ImproperlyConfigured as error:
            raise CommandError(str(error))
        members, errors = self.read(file, scheme, encoding, delimiter)
        import_plan = plan(members, errors, update=update)
        if import_plan.errors:
            self.print_errors(import_plan.errors)
            raise CommandError(_("%(count)d rows have errors; nothing was imported.")
                               % {"count": len(import_plan.errors)})
        self.stdout.write(_("Hash scheme: %(scheme)s") % {"scheme": scheme_label(scheme)})
        self.print_plan(import_plan)
        if dry_run:
            self.stdout.write(_("Dry run: every row is valid; nothing was written."))
            return
        try:
            result = apply(import_plan)
        except DatabaseError as error:
            raise CommandError(_("The database refused the import (%(error)s); nothing was imported.")
                               % {"error": error})
        record(EventKind.LEGACY_IMPORT, reason=reason, scheme=scheme, file=os.path.basename(file),
               created=result.created, updated=result.updated, changed_meanwhile=result.changed_meanwhile,
               skipped=len(import_plan.skip_existing) + len(import_plan.keep_changed))
        self.stdout.write(self.style.SUCCESS(_("Created %(created)d users, updated %(updated)d.")
                                             % {"created": result.created, "updated": result.updated}))
        if result.changed_meanwhile:
            self.stdout.write(_("%(count)d users changed their password during the import and were left as they are.")
                              % {"count": result.changed_meanwhile})

    def require_hasher(self, algorithm, path):
        installed = get_hashers_by_algorithm()
        if algorithm not in installed or "argon2w" not in installed:
            raise CommandError(
                _("PASSWORD_HASHERS must list %(path)s and %(wrapped)s, or the imported members cannot log in. "
                  "secure_shopadmin.hashers.recommended_hashers() lists them.")
                % {"path": path, "wrapped": WRAPPED_HASHER_PATH}
            )

    def read(self, file, scheme, encoding, delimiter):
        try:
            with open(file, newline="", encoding=encoding) as handle:
                return read_members(handle, scheme, delimiter=delimiter)
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not %(encoding)s text; give --encoding.")
                               % {"file": file, "encoding": encoding})
        except ImportFileError as error:
            raise CommandError(str(error))

    def print_errors(self, errors):
        for line, message in errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(_("line %(line)d: %(message)s") % {"line": line, "message": message})
        if len(errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(_("... and %(count)d more.") % {"count": len(errors) - MAX_ERRORS_SHOWN})

    def print_plan(self, import_plan):
        self.stdout.write(_("%(create)d to create, %(update)d to update, %(skip)d existing users skipped.")
                          % {"create": len(import_plan.create), "update": len(import_plan.update),
                             "skip": len(import_plan.skip_existing) + len(import_plan.keep_changed)})
        if import_plan.keep_changed:
            self.stdout.write(_("%(count)d existing users have changed their password since and keep it.")
                              % {"count": len(import_plan.keep_changed)})

