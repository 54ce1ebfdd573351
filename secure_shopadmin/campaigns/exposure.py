"""Which accounts a breach exposes: one whose password was removed (it signs in with a passkey only)
holds nothing a leaked password table could open, and is never a campaign's target."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q

from ..twofactor.passkeys.models import PasskeyDevice


def passwordless_q():
    """Accounts with no usable password and a passkey that signs in alone."""
    sign_in_key = PasskeyDevice.objects.filter(user=OuterRef("pk"), confirmed=True, sign_in=True)
    return Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & Q(Exists(sign_in_key))


def not_exposed(user_ids):
    """The pks among ``user_ids`` whose accounts a leaked password cannot open (one query)."""
    wanted = set(user_ids)
    passwordless = get_user_model()._default_manager.filter(passwordless_q()).values_list("pk", flat=True)
    return {pk for pk in passwordless.iterator() if pk in wanted}
