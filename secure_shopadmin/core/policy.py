"""Who must use a second factor (``TWO_FACTOR_POLICY``), and who a phishing-resistant one
(``REQUIRE_PHISHING_RESISTANT``).

Both settings are a policy dict with the same keys: ``superusers``, ``staff``, ``members`` (booleans),
``groups`` (group names) and ``permissions`` (``"app_label.codename"``). :func:`matches` and
:func:`matching` read any such dict; a key the dict leaves out takes the value in ``missing``.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q

from ..conf import app_settings

#: keys left out of TWO_FACTOR_POLICY: staff and superusers are in unless turned off
TWO_FACTOR_MISSING = {"superusers": True, "staff": True, "members": False}
#: keys left out of REQUIRE_PHISHING_RESISTANT: nobody is in unless named
OFF = {"superusers": False, "staff": False, "members": False}


def normalised(policy, missing):
    """``policy`` with its left-out keys filled in; None or False names nobody."""
    if policy is None or policy is False:
        return {**OFF, "groups": (), "permissions": ()}
    return {"groups": (), "permissions": (), **missing, **policy}


def matches(policy, user, missing=OFF):
    """True when the policy dict ``policy`` names ``user``."""
    policy = normalised(policy, missing)
    if policy["superusers"] and user.is_superuser:
        return True
    if policy["staff"] and user.is_staff:
        return True
    if policy["members"]:
        return True
    groups = set(policy["groups"])
    if groups and user.groups.filter(name__in=groups).exists():
        return True
    return any(user.has_perm(perm) for perm in policy["permissions"])


def matching(policy, users, missing=OFF):
    """The users of queryset ``users`` whom the policy dict ``policy`` names."""
    policy = normalised(policy, missing)
    if policy["members"]:
        return users
    condition = Q(pk__in=[])
    if policy["superusers"]:
        condition |= Q(is_superuser=True)
    if policy["staff"]:
        condition |= Q(is_staff=True)
    if policy["groups"]:
        condition |= Q(groups__name__in=policy["groups"])
    if policy["permissions"]:
        condition |= Q(is_superuser=True, is_active=True)  # has_perm() is True for them
    for perm in policy["permissions"]:
        app_label, codename = perm.split(".", 1)
        held = Q(content_type__app_label=app_label, codename=codename)
        condition |= Q(user_permissions__in=Permission.objects.filter(held))
        condition |= Q(groups__permissions__in=Permission.objects.filter(held))
    return users.filter(condition).distinct()


def requires_2fa(user):
    return matches(app_settings.TWO_FACTOR_POLICY, user, TWO_FACTOR_MISSING)


def users_under_policy(users):
    """The users of queryset ``users`` whom the policy requires to use a second factor."""
    return matching(app_settings.TWO_FACTOR_POLICY, users, TWO_FACTOR_MISSING)


def requires_phishing_resistant(user):
    """True when ``REQUIRE_PHISHING_RESISTANT`` names ``user``: a TOTP code alone is not enough."""
    return matches(app_settings.REQUIRE_PHISHING_RESISTANT, user)


def users_requiring_phishing_resistant(users):
    """The users of queryset ``users`` whom ``REQUIRE_PHISHING_RESISTANT`` names."""
    return matching(app_settings.REQUIRE_PHISHING_RESISTANT, users)


def holds_console_rights(user):
    """Staff or superuser: the console's rules (network list, lifetimes, fresh codes) apply to this account."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
