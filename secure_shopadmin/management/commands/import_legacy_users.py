"""manage.py import_legacy_users FILE.csv --scheme SCHEME | --platform NAME: members from an old platform's export."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hashers_by_algorithm
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from ...audit.models import EventKind
from ...audit.services import record, record_many
from ...hashers import WRAPPED_HASHER_PATH
from ...hashers.importing import ImportFileError, apply, decode, hash_clear_passwords, plan, read_export
from ...hashers.peppers import pepper
from ...hashers.presets import PRESETS, describe, generic, with_scheme
from ...hashers.schemes import IMPORT_SCHEMES, PHP_ARGON2, PLAINTEXT, hasher_path, legacy_hasher, scheme_label
from ...hashers.wrapped import default_params
from ...hashers.wrapping import default_workers, executor_for

MAX_ERRORS_SHOWN = 50
LIST = "list"


class Command(BaseCommand):
    help = _(
        "Create members from an old shop's CSV export, keeping each member's old password hash: the app's own "
        "layout (columns: username, email, hash, salt, optional first_name, last_name) with --scheme, or a "
        "platform's own customer export with --platform (--platform list names them). Every row is checked "
        "first; any error and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=_("The CSV file, with a header row."))
        parser.add_argument("--scheme", choices=IMPORT_SCHEMES,
                            help=_("How the old platform hashed (with --platform: every row, instead of telling "
                                   "each row's scheme from its value; e.g. plaintext for EC-CUBE's AUTH_TYPE=PLAIN)."))
        parser.add_argument("--platform", choices=[*PRESETS, LIST],
                            help=_("Read this platform's own customer export; 'list' names the platforms."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check every row, write nothing."))
        parser.add_argument("--update", action="store_true",
                            help=_("For existing users, replace a password that is still legacy, wrapped or "
                                   "unusable; a password changed since is never touched."))
        parser.add_argument("--reason", default="", help=_("Why the import is run, kept in the audit trail."))
        parser.add_argument("--encoding", default=None,
                            help=_("The file's encoding (default: UTF-8, or the platform's usual ones in turn)."))
        parser.add_argument("--delimiter", default=",", help=_("The field separator (default: ','; 'tab' for tabs)."))
        parser.add_argument("--workers", type=int, default=None,
                            help=_("Processes hashing clear passwords (default: one per CPU)."))

    def handle(self, *args, file, scheme, platform, dry_run, update, reason, encoding, delimiter, workers,
               **options):
        if platform == LIST:
            return self.list_platforms()
        if not file or not (scheme or platform):
            raise CommandError(_("Give the export file and --scheme SCHEME or --platform NAME."))
        preset = PRESETS[platform] if platform else generic(scheme)
        if platform and scheme:
            preset = with_scheme(preset, scheme)
        self.check_setup(preset, scheme)
        reading = self.read(file, preset, encoding, delimiter)
        for name in sorted(set(reading.schemes) - {PLAINTEXT}):  # the schemes the platform's rows turned out to use
            self.require_scheme(name)
        import_plan = plan(reading.members, reading.errors, update=update)
        if import_plan.errors:
            self.print_errors(import_plan.errors)
            raise CommandError(_("%(count)d rows have errors; nothing was imported.")
                               % {"count": len(import_plan.errors)})
        self.print_plan(import_plan, reading)
        self.print_refused(import_plan)
        if dry_run:
            self.stdout.write(_("Dry run: every row is valid; nothing was written."))
            return
        clear = self.hash_clear(import_plan, workers)
        try:
            result = apply(import_plan)
        except DatabaseError as error:
            raise CommandError(_("The database refused the import (%(error)s); nothing was imported.")
                               % {"error": error})
        self.audit(reason, scheme, platform, file, result, import_plan, reading, clear)
        self.stdout.write(self.style.SUCCESS(_("Created %(created)d users, updated %(updated)d.")
                                             % {"created": result.created, "updated": result.updated}))
        if result.changed_meanwhile:
            self.stdout.write(_("%(count)d users changed their password during the import and were left as they are.")
                              % {"count": result.changed_meanwhile})

    def check_setup(self, preset, scheme):
        """The hashers and peppers the import needs, before any row is read."""
        schemes = {scheme} if scheme else set()
        peppers = set() if scheme else set(preset.peppers)
        for name in schemes - {PLAINTEXT, PHP_ARGON2}:
            peppers |= set(getattr(legacy_hasher(name), "peppers", ()))
        for name in schemes - {PLAINTEXT}:
            self.require_scheme(name)
        if not scheme or scheme == PLAINTEXT:
            self.require_hasher(None, WRAPPED_HASHER_PATH)
        try:
            for name in sorted(peppers):
                pepper(name)
        except ImproperlyConfigured as error:
            raise CommandError(str(error))

    def require_scheme(self, scheme):
        if scheme == PHP_ARGON2:
            return self.require_hasher("argon2", "django.contrib.auth.hashers.Argon2PasswordHasher")
        hasher = legacy_hasher(scheme)
        return self.require_hasher(hasher.algorithm, hasher_path(type(hasher)))

    def require_hasher(self, algorithm, path):
        installed = get_hashers_by_algorithm()
        if (algorithm and algorithm not in installed) or "argon2w" not in installed:
            raise CommandError(
                _("PASSWORD_HASHERS must list %(path)s and %(wrapped)s, or the imported members cannot log in. "
                  "secure_shopadmin.hashers.recommended_hashers() lists them.")
                % {"path": path, "wrapped": WRAPPED_HASHER_PATH}
            )

    def read(self, file, preset, encoding, delimiter):
        delimiter = "\t" if delimiter in ("tab", "\\t") else delimiter
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        try:
            lines = decode(data, (encoding,) if encoding else preset.encodings)
            reading = read_export(lines, preset, delimiter=delimiter)
        except (ImportFileError, TypeError) as error:  # TypeError: a delimiter that is not one character
            raise CommandError(_("%(file)s: %(error)s Nothing was imported.") % {"file": file, "error": error})
        return reading

    def hash_clear(self, import_plan, workers):
        members = [*import_plan.create, *(member for member, _pk, _password in import_plan.update)]
        if not any(member.clear is not None for member in members):
            return 0
        params = default_params()
        with executor_for(workers or default_workers(params)) as executor:
            count = hash_clear_passwords(members, params, executor)
        self.stdout.write(_("%(count)d clear passwords hashed with argon2id (%(params)s); none was kept.")
                          % {"count": count, "params": params})
        return count

    def audit(self, reason, scheme, platform, file, result, import_plan, reading, clear):
        details = {"scheme": scheme or "", "file": os.path.basename(file), "created": result.created,
                   "updated": result.updated, "changed_meanwhile": result.changed_meanwhile,
                   "skipped": len(import_plan.skip_existing) + len(import_plan.keep_changed)}
        if platform:
            details |= {"platform": platform, "schemes": dict(reading.schemes),
                        "passed_over": sum(reading.skipped.values())}
        if clear:
            details["plaintext"] = clear
        if import_plan.refused_privileged:
            details["refused_privileged"] = [member.username for member, _pk in import_plan.refused_privileged]
        record(EventKind.LEGACY_IMPORT, reason=reason, **details)
        updated = get_user_model()._base_manager.filter(pk__in=result.updated_ids)
        record_many(EventKind.LEGACY_IMPORT, list(updated), reason=reason, step="password_replaced",
                    file=details["file"], scheme=scheme or "", platform=platform or "")

    def print_refused(self, import_plan):
        """Each staff or superuser row of an --update run, by line: an import never touches those accounts."""
        for member, _pk in import_plan.refused_privileged:
            self.stderr.write(_("line %(line)d: %(username)s is a staff or superuser account: an import never "
                                "updates it; left as it is.") % {"line": member.line, "username": member.username})

    def print_errors(self, errors):
        for line, message in errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(_("line %(line)d: %(message)s") % {"line": line, "message": message})
        if len(errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(_("... and %(count)d more.") % {"count": len(errors) - MAX_ERRORS_SHOWN})

    def print_plan(self, import_plan, reading):
        self.stdout.write(_("%(create)d to create, %(update)d to update, %(skip)d existing users skipped.")
                          % {"create": len(import_plan.create), "update": len(import_plan.update),
                             "skip": len(import_plan.skip_existing) + len(import_plan.keep_changed)
                             + len(import_plan.refused_privileged)})
        if import_plan.keep_changed:
            self.stdout.write(_("%(count)d existing users have changed their password since and keep it.")
                              % {"count": len(import_plan.keep_changed)})
        for why, count in sorted(reading.skipped.items()):
            self.stdout.write(_("%(count)d rows passed over: %(why)s.") % {"count": count, "why": why})
        schemes = reading.schemes
        if len(schemes) == 1:
            self.stdout.write(_("Hash scheme: %(scheme)s") % {"scheme": scheme_label(next(iter(schemes)))})
        if len(schemes) > 1 or PLAINTEXT in schemes:
            self.stdout.write(_("Schemes: %(schemes)s.") % {
                "schemes": ", ".join(f"{name} {count}" for name, count in sorted(schemes.items()))})

    def list_platforms(self):
        for preset in PRESETS.values():
            columns = ", ".join(f"{name}={header}" for name, header in describe(preset).items())
            self.stdout.write(f"{preset.name:<12} {preset.label} ({preset.source}): {columns}")
            notes = [_("encodings: %(list)s") % {"list": ", ".join(preset.encodings)}]
            if preset.skip_note:
                notes.append(_("passes over %(rows)s") % {"rows": preset.skip_note})
            if preset.peppers:
                notes.append(_("needs LEGACY_PEPPERS: %(keys)s") % {"keys": ", ".join(preset.peppers)})
            self.stdout.write(" " * 13 + "; ".join(notes))
