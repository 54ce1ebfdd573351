from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from ..core.figures import Figure
from ..core.policy import users_under_policy
from .models import AuthenticatorDevice


def figures():
    users = get_user_model()._default_manager
    with_device = AuthenticatorDevice.objects.filter(confirmed=True).values("user_id")
    missing = users_under_policy(users.filter(is_active=True)).exclude(pk__in=with_device)
    url = reverse("admin:auth_user_changelist") if get_user_model()._meta.label == "auth.User" else ""
    return [
        Figure("staff_without_2fa",
               _("Users the policy requires to use two-factor authentication who have not set it up"),
               missing.count(), url),
        Figure("two_factor_users", _("Users with two-factor authentication"),
               users.filter(pk__in=with_device).count()),
    ]
