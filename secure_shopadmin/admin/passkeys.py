"""Passkeys in the admin: a user's page lists their passkeys and security keys (name, added, last used).

Removing them is the audited two-factor reset's part (:mod:`.twofactor`), never a delete button here.
"""

from django.utils.translation import gettext as _

from ..core.policy import requires_phishing_resistant
from ..twofactor.passkeys.ceremonies import passkeys
from .users import user_admin_mixin


@user_admin_mixin
class PasskeyUserAdminMixin:
    def security_panels(self, request, obj):
        panel = {"passkeys": list(passkeys(obj)), "required": requires_phishing_resistant(obj)}
        return [*super().security_panels(request, obj),
                (_("Passkeys and security keys"), "secure_shopadmin/admin/passkeys_panel.html", panel)]
