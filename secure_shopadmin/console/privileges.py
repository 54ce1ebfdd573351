"""Privilege alerts: granting staff, superuser or a group that holds permissions is told to the
user and to ``SECURITY_CONTACTS`` and written to the audit trail (who, whom, what).

The grants are noticed by signal receivers (:mod:`.receivers`), so a grant from the shell or a
command is told too; the admin says who granted (:func:`granted_by`), elsewhere the actor is
empty. Mails go out once the transaction commits.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..audit.models import EventKind, SecurityEvent
from ..audit.services import record
from ..core.mail import send_to_security_contacts, send_to_user

FLAGS = ("is_staff", "is_superuser")
REQUEST_ATTR = "_ssa_granted_in"
LABELS = {
    "is_staff": _("Staff: may log in to the management console"),
    "is_superuser": _("Superuser: holds every permission"),
}


def granted_by(user, request):
    """Note that changes about to be saved on ``user`` are made through ``request`` (its user grants)."""
    setattr(user, REQUEST_ATTR, request)


def admin_groups(group_ids):
    """The names of those groups that hold at least one permission (what the admin lets them do)."""
    return sorted(Group.objects.filter(pk__in=group_ids, permissions__isnull=False).distinct()
                  .values_list("name", flat=True))


def label(item):
    if item.startswith("group:"):
        return format_lazy(_("Group “{name}”"), name=item[len("group:"):])
    return LABELS.get(item, item)


def grant(user, granted):
    """``user`` was just given ``granted`` (``["is_staff", "group:Editors", …]``): audit and mail."""
    request = getattr(user, REQUEST_ATTR, None)
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
