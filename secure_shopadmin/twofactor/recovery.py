"""Recovery codes: 10 random codes of 118 bits, shown once, stored as keyed HMAC-SHA256 digests."""

import secrets

from django.db import transaction

from ..conf import app_settings
from ..core.sensitive import secret_variables
from .codes import RECOVERY_ALPHABET, RECOVERY_CODE_LENGTH, recovery_digest, spend_recovery
from .models import RecoveryCode, RecoveryCodeSet

GROUP = 4


def new_code():
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


@secret_variables
@transaction.atomic
def regenerate(user):
    """Replace the user's codes with a new set; returns the codes, to show once."""
    RecoveryCodeSet.objects.filter(user=user).delete()
    code_set = RecoveryCodeSet.objects.create(user=user, name="Recovery codes")
    codes = [new_code() for _ in range(app_settings.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(code_set=code_set, digest=recovery_digest(code)) for code in codes]
    )
    return codes


@secret_variables
def use(user, code):
    """Spend one unused code of ``user``; True if it was one. Single use even under races."""
    return spend_recovery(RecoveryCode.objects.filter(code_set__user=user), code)


def remaining(user):
    return RecoveryCode.objects.filter(code_set__user=user, used_at__isnull=True).count()
