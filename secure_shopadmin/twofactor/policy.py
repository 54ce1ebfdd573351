"""Who must use a second factor (``SECURE_SHOPADMIN["TWO_FACTOR_POLICY"]``)."""

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
