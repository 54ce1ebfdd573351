"""The work of ``import_legacy_users``: members from an old platform's CSV export, all checked before any is written.

Columns (header row required): ``username``, ``email``, ``hash``, ``salt`` (may be empty or absent),
optionally ``first_name`` and ``last_name``. Other columns are ignored.
"""

import csv
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .legacy import from_legacy
from .schemes import legacy_hasher_of
from .wrapped import ALGORITHM as WRAPPED_ALGORITHM

REQUIRED_COLUMNS = ("username", "email", "hash")
OPTIONAL_COLUMNS = ("salt", "first_name", "last_name")
LOOKUP_BATCH = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no header, missing columns)."""


@dataclass
class Member:
    line: int
    username: str
    email: str
    password: str
    names: dict


@dataclass
class ImportPlan:
    create: list = field(default_factory=list)
    #: (member, pk, password read) -- replaced only if still that value when written
    update: list = field(default_factory=list)
    skip_existing: list = field(default_factory=list)
    #: (member, pk) whose password was changed on the new site; never overwritten
    keep_changed: list = field(default_factory=list)
    errors: list = field(default_factory=list)


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


def _member(user_model, scheme, line, row, name_fields):
    username = user_model.normalize_username(row["username"].strip())
    if not username:
        raise ValueError(_("username: this field is required"))
    _clean(user_model, user_model.USERNAME_FIELD, username)
    email = BaseUserManager.normalize_email(row["email"].strip())
    email_field = user_model.get_email_field_name()
    if email:
        _clean(user_model, email_field, email)
    password = from_legacy(scheme, row["hash"], row.get("salt") or "")
    names = {name: _clean(user_model, name, row[name].strip()) for name in name_fields if row.get(name)}
    return Member(line, username, email, password, names)


def read_members(lines, scheme, *, delimiter=",", user_model=None):
    """(members, errors) from CSV ``lines``; each error is (line number, message)."""
    user_model = user_model or get_user_model()
    reader = csv.DictReader(lines, delimiter=delimiter)
    columns = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(_("The header row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    reader.fieldnames = columns
    model_fields = {f.name for f in user_model._meta.get_fields()}
    name_fields = [name for name in ("first_name", "last_name") if name in columns and name in model_fields]
    members, errors, seen = [], [], {}
    for row in reader:
        line = reader.line_num
        try:
            if None in row or any(row.get(name) is None for name in REQUIRED_COLUMNS):
                raise ValueError(_("wrong number of fields"))
            member = _member(user_model, scheme, line, row, name_fields)
        except (ValueError, ImproperlyConfigured) as error:
            errors.append((line, str(error)))
            continue
        if member.username in seen:
            errors.append((line, _("username %(username)r repeats line %(line)d")
                           % {"username": member.username, "line": seen[member.username]}))
            continue
        seen[member.username] = line
        members.append(member)
    return members, errors


def plan(members, errors, *, update=False, user_model=None):
    """Sort checked members into create / update / skip against the database; writes nothing."""
    user_model = user_model or get_user_model()
    result = ImportPlan(errors=list(errors))
    username_field = user_model.USERNAME_FIELD
    for start in range(0, len(members), LOOKUP_BATCH):
        chunk = members[start:start + LOOKUP_BATCH]
        existing = dict(
            (username, (pk, password)) for pk, username, password in user_model._base_manager.filter(
                **{f"{username_field}__in": [m.username for m in chunk]}
            ).values_list("pk", username_field, "password")
        )
        for member in chunk:
            if member.username not in existing:
                result.create.append(member)
                continue
            pk, password = existing[member.username]
            if not update:
                result.skip_existing.append(member)
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


def apply(import_plan, user_model=None):
    """Write the plan in one transaction: all of it or, on any error, none of it."""
    user_model = user_model or get_user_model()
    if import_plan.errors:
        raise ValueError("a plan with errors is never applied")
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
        for member, pk, password in import_plan.update:
            if rows.filter(pk=pk, password=password).update(password=member.password):
                result.updated += 1
            else:
                result.changed_meanwhile += 1
    return result
