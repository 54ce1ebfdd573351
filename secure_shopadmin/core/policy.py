"""Who must use a second factor (``SECURE_SHOPADMIN["TWO_FACTOR_POLICY"]``)."""

from django.contrib.auth.models import Permission
from django.db.models import Q

from ..conf import app_settings


def requires_2fa(user):
    policy = app_settings.TWO_FACTOR_POLICY
    if policy.get("superusers", True) and user.is_superuser:
        return True
    if policy.get("staff", True) and user.is_staff:
        return True
    if policy.get("members", False):
        return True
    groups = set(policy.get("groups", ()))
    if groups and user.groups.filter(name__in=groups).exists():
        return True
    return any(user.has_perm(perm) for perm in policy.get("permissions", ()))


def users_under_policy(users):
    """The users of queryset ``users`` whom the policy requires to use a second factor."""
    policy = app_settings.TWO_FACTOR_POLICY
    if policy.get("members", False):
        return users
    condition = Q(pk__in=[])
    if policy.get("superusers", True):
        condition |= Q(is_superuser=True)
    if policy.get("staff", True):
        condition |= Q(is_staff=True)
    if policy.get("groups"):
        condition |= Q(groups__name__in=policy["groups"])
    for perm in policy.get("permissions", ()):
        app_label, codename = perm.split(".", 1)
        held = Q(content_type__app_label=app_label, codename=codename)
        condition |= Q(user_permissions__in=Permission.objects.filter(held))
        condition |= Q(groups__permissions__in=Permission.objects.filter(held))
    return users.filter(condition).distinct()
