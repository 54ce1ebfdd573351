"""The work of ``import_legacy_users``: members from an old platform's CSV export, all checked before any is written.

Columns (header row required) of the app's own layout: ``username``, ``email``, ``hash``, ``salt``
(may be empty or absent), optionally ``first_name`` and ``last_name``; or those of a platform's own
export (:mod:`.presets`). Other columns are ignored. Clear passwords (scheme ``plaintext``) are
never kept: :func:`hash_clear_passwords` turns them into argon2id (wrapped) values before the write.
"""

import csv
import io
import os
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .argon2_worker import argon2_tags
from .legacy import from_legacy, from_php_argon2
from .presets import UnknownHash, generic
from .schemes import PHP_ARGON2, PLAINTEXT, legacy_hasher_of
from .wrapped import ALGORITHM as WRAPPED_ALGORITHM
from .wrapped import SALT_BYTES, assemble

REQUIRED_COLUMNS = ("username", "email", "hash")
OPTIONAL_COLUMNS = ("salt", "first_name", "last_name")
LOOKUP_BATCH = 500
#: clear passwords hashed per task sent to a worker process
CLEAR_CHUNK = 16
PRIVILEGE_FLAGS = ("is_staff", "is_superuser")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no header, missing columns, unreadable CSV)."""


@dataclass
class Member:
    line: int
    username: str
    email: str
    password: str
    names: dict
    scheme: str = ""
    #: a clear password from the export, until hash_clear_passwords() replaces it; never shown
    clear: str = field(default=None, repr=False)


@dataclass
class ImportPlan:
    create: list = field(default_factory=list)
    #: (member, pk, password read) -- replaced only if still that value when written
    update: list = field(default_factory=list)
    skip_existing: list = field(default_factory=list)
    #: (member, pk) whose password was changed on the new site; never overwritten
    keep_changed: list = field(default_factory=list)
    #: (member, pk) of staff or superuser accounts: an import never updates them
    refused_privileged: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class Reading:
    members: list = field(default_factory=list)
    #: (line, message)
    errors: list = field(default_factory=list)
    #: why -> rows the platform's preset passes over (deleted customers, guests)
    skipped: Counter = field(default_factory=Counter)

    @property
    def schemes(self):
        return Counter(member.scheme for member in self.members)


def replaceable(encoded):
    """True for a password ``--update`` may overwrite: still legacy, wrapped or unusable."""
    return (encoded.startswith(UNUSABLE_PASSWORD_PREFIX) or encoded.startswith(f"{WRAPPED_ALGORITHM}$")
            or legacy_hasher_of(encoded) is not None)


def _clean(user_model, field_name, value):
    model_field = user_model._meta.get_field(field_name)
    try:
        return model_field.clean(value, None)
    except ValidationError as error:
        raise ValueError(f"{field_name}: {' '.join(error.messages)}")


def _member(user_model, preset, line, values, name_fields):
    username = user_model.normalize_username(values["username"].strip())
    if not username:
        raise ValueError(_("username: this field is required"))
    _clean(user_model, user_model.USERNAME_FIELD, username)
    email = BaseUserManager.normalize_email(values.get("email", "").strip())
    if email:
        _clean(user_model, user_model.get_email_field_name(), email)
    scheme, stored, salt = preset.scheme_of(values)
    names = {name: _clean(user_model, name, values[name].strip()) for name in name_fields if values.get(name)}
    if scheme == PLAINTEXT:
        if not stored:
            raise ValueError(_("the clear password is empty"))
        return Member(line, username, email, None, names, scheme, clear=stored)
    password = from_php_argon2(stored) if scheme == PHP_ARGON2 else from_legacy(scheme, stored, salt)
    return Member(line, username, email, password, names, scheme)


def _column_indexes(preset, header):
    """{field: index} of the columns the header row names; ImportFileError naming the missing ones."""
    positions = {(name or "").strip().lower(): index for index, name in reversed(list(enumerate(header)))}
    indexes = {}
    for name, accepted in preset.columns.items():
        found = next((positions[h.lower()] for h in accepted if h.lower() in positions), None)
        if found is not None:
            indexes[name] = found
    missing = [preset.columns[name][0] for name in preset.required if name not in indexes]
    if missing:
        raise ImportFileError(_("The header row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return indexes


def _rows(reader):
    """(line, row) of each record; a CSV error is an ImportFileError naming its line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(_("line %(line)d: %(error)s.") % {"line": reader.line_num, "error": error})
        yield reader.line_num, row


def read_export(lines, preset, *, delimiter=",", user_model=None):
    """A :class:`Reading` of CSV ``lines`` as ``preset`` reads them; writes nothing."""
    user_model = user_model or get_user_model()
    rows = _rows(csv.reader(lines, delimiter=delimiter, strict=True))
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty: a header row is needed."))
    indexes = _column_indexes(preset, first[1])
    model_fields = {f.name for f in user_model._meta.get_fields()}
    name_fields = [name for name in ("first_name", "last_name") if name in indexes and name in model_fields]
    reading, seen = Reading(), {}
    for line, row in rows:
        if not row:
            continue
        try:
            if len(row) != len(first[1]):
                raise ValueError(_("wrong number of fields"))
            values = {name: row[index] for name, index in indexes.items()}
            reason = preset.skip(values) if preset.skip else ""
            if reason:
                reading.skipped[str(reason)] += 1
                continue
            member = _member(user_model, preset, line, values, name_fields)
        except ImproperlyConfigured as error:
            raise ImportFileError(str(error))
        except (ValueError, UnknownHash) as error:
            reading.errors.append((line, str(error)))
            continue
        if member.username in seen:
            reading.errors.append((line, _("username %(username)r repeats line %(line)d")
                                   % {"username": member.username, "line": seen[member.username]}))
            continue
        seen[member.username] = line
        reading.members.append(member)
    return reading


def read_members(lines, scheme, *, delimiter=",", user_model=None):
    """(members, errors) from CSV ``lines`` of the app's own layout; each error is (line number, message)."""
    reading = read_export(lines, generic(scheme), delimiter=delimiter, user_model=user_model)
    return reading.members, reading.errors


def decode(data, encodings):
    """``data`` (bytes) as text in the first of ``encodings`` that reads all of it; ImportFileError naming the
    line where the last one failed."""
    for encoding in encodings:
        try:
            return io.StringIO(data.decode(encoding), newline="")
        except UnicodeDecodeError as error:
            failure = (encoding, data[:error.start].count(b"\n") + 1)
        except LookupError:
            raise ImportFileError(_("Unknown encoding %(encoding)s.") % {"encoding": encoding})
    raise ImportFileError(_("line %(line)d is not %(encoding)s text; give --encoding.")
                          % {"line": failure[1], "encoding": " / ".join(encodings)})


def hash_clear_passwords(members, params, executor):
    """Replace each member's clear password by its argon2id (wrapped) value; returns how many there were.

    The argon2 work runs on ``executor`` (worker processes, or inline); the passwords are not kept.
    """
    pending = [member for member in members if member.clear is not None]
    chunks = [pending[start:start + CLEAR_CHUNK] for start in range(0, len(pending), CLEAR_CHUNK)]
    futures = []
    for chunk in chunks:
        salts = [os.urandom(SALT_BYTES) for _member in chunk]
        futures.append((chunk, salts, executor.submit(
            argon2_tags, [(m.clear, salt) for m, salt in zip(chunk, salts, strict=True)], params.as_tuple())))
    for chunk, salts, future in futures:
        for member, salt, tag in zip(chunk, salts, future.result(), strict=True):
            member.password, member.clear = assemble(PLAINTEXT, "", params, salt, tag), None
    return len(pending)


def privilege_fields(user_model):
    """The user model's fields that make an account staff or superuser (those it has)."""
    names = {model_field.name for model_field in user_model._meta.get_fields()}
    return [name for name in PRIVILEGE_FLAGS if name in names]


def plan(members, errors, *, update=False, user_model=None):
    """Sort checked members into create / update / skip against the database; writes nothing."""
    user_model = user_model or get_user_model()
    result = ImportPlan(errors=list(errors))
    username_field = user_model.USERNAME_FIELD
    for start in range(0, len(members), LOOKUP_BATCH):
        chunk = members[start:start + LOOKUP_BATCH]
        flags = privilege_fields(user_model)
        existing = {
            row[1]: (row[0], row[2], any(row[3:])) for row in user_model._base_manager.filter(
                **{f"{username_field}__in": [m.username for m in chunk]}
            ).values_list("pk", username_field, "password", *flags)
        }
        for member in chunk:
            if member.username not in existing:
                result.create.append(member)
                continue
            pk, password, privileged = existing[member.username]
            if not update:
                result.skip_existing.append(member)
            elif privileged:
                result.refused_privileged.append((member, pk))
            elif replaceable(password):
                result.update.append((member, pk, password))
            else:
                result.keep_changed.append((member, pk))
    return result


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    #: --update rows whose password changed between the check and the write
    changed_meanwhile: int = 0
    #: the primary keys of the users whose password was replaced
    updated_ids: list = field(default_factory=list)


def apply(import_plan, user_model=None):
    """Write the plan in one transaction: all of it or, on any error, none of it."""
    user_model = user_model or get_user_model()
    if import_plan.errors:
        raise ValueError("a plan with errors is never applied")
    if any(m.clear is not None for m in [*import_plan.create, *(m for m, _pk, _pw in import_plan.update)]):
        raise ValueError("clear passwords are hashed before the plan is applied")
    rows = user_model._base_manager
    email_field = user_model.get_email_field_name()
    result = ImportResult()
    with transaction.atomic(using=rows.db):
        new_users = []
        for member in import_plan.create:
            user = user_model(**{user_model.USERNAME_FIELD: member.username}, **member.names)
            if member.email and email_field != user_model.USERNAME_FIELD:
                setattr(user, email_field, member.email)
            user.password = member.password
            new_users.append(user)
        rows.bulk_create(new_users, batch_size=LOOKUP_BATCH)
        result.created = len(new_users)
        not_privileged = {name: False for name in privilege_fields(user_model)}  # nor made so meanwhile
        for member, pk, password in import_plan.update:
            if rows.filter(pk=pk, password=password, **not_privileged).update(password=member.password):
                result.updated += 1
                result.updated_ids.append(pk)
            else:
                result.changed_meanwhile += 1
    return result
