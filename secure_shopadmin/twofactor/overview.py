from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ..core.figures import Figure
from ..core.policy import users_requiring_phishing_resistant, users_under_policy
from .models import AuthenticatorDevice
from .passkeys.models import PasskeyDevice


def figures():
    users = get_user_model()._default_manager
    with_passkey = PasskeyDevice.objects.filter(confirmed=True).values("user_id")
    with_device = AuthenticatorDevice.objects.filter(confirmed=True).values("user_id")
    active = users.filter(is_active=True)
    missing = users_under_policy(active).exclude(pk__in=with_device).exclude(pk__in=with_passkey)
    staff_without_passkey = active.filter(Q(is_staff=True) | Q(is_superuser=True)).exclude(pk__in=with_passkey)
    required_without_passkey = users_requiring_phishing_resistant(active).exclude(pk__in=with_passkey)
    url = reverse("admin:auth_user_changelist") if get_user_model()._meta.label == "auth.User" else ""
    return [
        Figure("staff_without_2fa",
               _("Users the policy requires to use two-factor authentication who have not set it up"),
               missing.count(), url),
        Figure("two_factor_users", _("Users with two-factor authentication"),
               users.filter(Q(pk__in=with_device) | Q(pk__in=with_passkey)).count()),
        Figure("staff_without_phishing_resistant",
               _("Staff without a phishing-resistant factor (passkey or security key)"),
               staff_without_passkey.count(), url),
        Figure("phishing_resistant_missing",
               _("Users who must verify with a passkey and have none yet"),
               required_without_passkey.count(), url),
    ]
