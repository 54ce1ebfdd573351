"""Privilege alerts: granting staff, superuser, a group that holds permissions or a permission (to
the user, or to a group a staff member is in), and reactivating a staff or superuser account, is
told to the user and to ``SECURITY_CONTACTS`` and written to the audit trail (who, whom, what).

The grants are noticed by signal receivers (:mod:`.receivers`), so a grant from the shell or a
command is told too; the admin says who granted (:func:`granted_by`), elsewhere the actor is
empty. Mails go out once the transaction commits.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..audit.models import EventKind, SecurityEvent
from ..audit.services import record
from ..core.mail import send_to_security_contacts, send_to_user

FLAGS = ("is_staff", "is_superuser")
#: what the receivers compare before and after a save of a user
WATCHED = (*FLAGS, "is_active")
REACTIVATED = "is_active"
REQUEST_ATTR = "_ssa_granted_in"
LABELS = {
    "is_staff": _("Staff: may log in to the management console"),
    "is_superuser": _("Superuser: holds every permission"),
    REACTIVATED: _("Account reactivated: a staff or superuser account may log in again"),
}


def granted_by(user, request):
    """Note that changes about to be saved on ``user`` are made through ``request`` (its user grants)."""
    setattr(user, REQUEST_ATTR, request)


def admin_groups(group_ids):
    """The names of those groups that hold at least one permission (what the admin lets them do)."""
    return sorted(Group.objects.filter(pk__in=group_ids, permissions__isnull=False).distinct()
                  .values_list("name", flat=True))


def permission_names(permission_ids):
    """``["app_label.codename", …]`` of these permissions, sorted."""
    return sorted(f"{app}.{codename}" for app, codename in Permission.objects.filter(pk__in=permission_ids)
                  .values_list("content_type__app_label", "codename"))


def label(item):
    if item.startswith("group:"):
        return format_lazy(_("Group “{name}”"), name=item[len("group:"):])
    if item.startswith("permission:"):
        permission, _sep, group = item[len("permission:"):].partition("@")
        if group:
            return format_lazy(_("Permission “{permission}” through group “{group}”"),
                               permission=permission, group=group)
        return format_lazy(_("Permission “{permission}”"), permission=permission)
    return LABELS.get(item, item)


def grant_group_permissions(group, permission_ids, request=None):
    """Permissions were added to ``group``: each staff or superuser member now holds them; audit and mail
    each (a member without console rights is not told: without staff status the admin is closed to them)."""
    names = permission_names(permission_ids)
    if not names:
        return
    members = group.user_set.filter(Q(is_staff=True) | Q(is_superuser=True))
    items = [f"permission:{name}@{group.name}" for name in names]
    request = request or getattr(group, REQUEST_ATTR, None)
    for user in members:
        grant(user, items, request=request)


def grant(user, granted, request=None):
    """``user`` was just given ``granted`` (``["is_staff", "group:Editors", …]``): audit and mail."""
    request = request or getattr(user, REQUEST_ATTR, None)
    actor = getattr(request, "user", None) if request is not None else None
    event = record(EventKind.PRIVILEGE_GRANT, request=request, actor=actor, target=user, granted=list(granted))
    labels = [label(item) for item in granted]
    actor_name = event.actor_username
    transaction.on_commit(lambda: _mail(user, labels, actor_name, event.ip))
    return event


def _mail(user, labels, actor_name, ip):
    send_to_user(user, "privilege_granted", {"granted": labels, "actor": actor_name})
    send_to_security_contacts("security_contact_privilege_granted", {
        "username": user.get_username(), "granted": labels, "actor": actor_name, "ip": ip,
        "time_zone": settings.TIME_ZONE})


def recent_grants(limit=10):
    """The latest grants, newest first, for the Security overview."""
    return list(SecurityEvent.objects.filter(kind=EventKind.PRIVILEGE_GRANT).order_by("-created_at", "-id")[:limit])
