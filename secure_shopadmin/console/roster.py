"""Who holds admin rights, and what changed since the last look: ``security_report``'s roster.

The signal receivers (:mod:`.receivers`) tell grants made through the ORM; a queryset ``update()``,
raw SQL or a database console sends no signal. The roster reads the accounts themselves: every
staff or superuser account with its flags, groups and permissions (its own and its groups'), and
compares them with the snapshot the previous report stored. Snapshots are sealed with a keyed digest
(:mod:`secure_shopadmin.core.crypto`): one edited in the database, or sealed under a key no longer
configured, is reported as not trusted and the whole roster is shown as new.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from ..core import crypto
from .models import PrivilegeSnapshot

SEAL_PURPOSE = "privilege-snapshot"
KEEP_SNAPSHOTS = 30
FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "permissions")


def current_accounts():
    """``{str(user id): {"username", "is_active", "is_staff", "is_superuser", "groups", "permissions"}}`` of
    every staff or superuser account (a few queries, whatever the number of accounts)."""
    user_model = get_user_model()
    users = list(user_model._base_manager.filter(Q(is_staff=True) | Q(is_superuser=True))
                 .values_list("pk", user_model.USERNAME_FIELD, "is_active", "is_staff", "is_superuser"))
    ids = [row[0] for row in users]
    groups_of, permissions_of = defaultdict(set), defaultdict(set)
    group_permissions = defaultdict(set)
    for group_id, app, codename in Group.permissions.through.objects.values_list(
            "group_id", "permission__content_type__app_label", "permission__codename"):
        group_permissions[group_id].add(f"{app}.{codename}")
    if hasattr(user_model, "groups"):  # a custom user model without PermissionsMixin has neither
        for user_id, group_id, name in user_model.groups.through.objects.filter(user_id__in=ids).values_list(
                "user_id", "group_id", "group__name"):
            groups_of[user_id].add(name)
            permissions_of[user_id] |= group_permissions[group_id]
    if hasattr(user_model, "user_permissions"):
        for user_id, app, codename in user_model.user_permissions.through.objects.filter(
                user_id__in=ids).values_list("user_id", "permission__content_type__app_label", "permission__codename"):
            permissions_of[user_id].add(f"{app}.{codename}")
    return {
        str(pk): {"username": str(username), "is_active": active, "is_staff": staff, "is_superuser": superuser,
                  "groups": sorted(groups_of[pk]), "permissions": sorted(permissions_of[pk])}
        for pk, username, active, staff, superuser in users
    }


def seal(accounts):
    return crypto.digest(json.dumps(accounts, sort_keys=True, separators=(",", ":")), SEAL_PURPOSE)


@dataclass
class Roster:
    """What the report shows: the accounts now, the changes since ``since`` (None: no trusted snapshot)."""

    accounts: dict
    since: object = None
    tampered: bool = False
    changes: list = field(default_factory=list)


def changes_between(before, now):
    """``[{"username", "change": "added" | "removed" | "changed", "fields": {name: [before, now]}}]``."""
    found = []
    for user_id in sorted(set(before) | set(now), key=lambda key: (now.get(key) or before[key])["username"]):
        old, new = before.get(user_id), now.get(user_id)
        if old is None:
            found.append({"username": new["username"], "change": "added", "fields": {}})
        elif new is None:
            found.append({"username": old["username"], "change": "removed", "fields": {}})
        else:
            fields = {name: [old.get(name), new.get(name)] for name in (*FIELDS, "username")
                      if old.get(name) != new.get(name)}
            if fields:
                found.append({"username": new["username"], "change": "changed", "fields": fields})
    return found


def _trusted(snapshot):
    return isinstance(snapshot.accounts, dict) and crypto.constant_time_equal(snapshot.seal, seal(snapshot.accounts))


def report(*, store=True):
    """The roster now, compared with the last stored snapshot; stores a new one unless ``store`` is False."""
    accounts = current_accounts()
    last = PrivilegeSnapshot.objects.first()
    roster = Roster(accounts=accounts)
    if last is not None and _trusted(last):
        roster.since, roster.changes = last.created_at, changes_between(last.accounts, accounts)
    else:
        roster.tampered = last is not None
        roster.changes = changes_between({}, accounts)
    if store:
        with transaction.atomic():
            PrivilegeSnapshot.objects.create(accounts=accounts, seal=seal(accounts))
            old = PrivilegeSnapshot.objects.values_list("pk", flat=True)[KEEP_SNAPSHOTS:]
            PrivilegeSnapshot.objects.filter(pk__in=list(old)).delete()
    return roster
