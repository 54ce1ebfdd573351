"""Recovery codes: 10 random codes of 118 bits, shown once, stored as keyed HMAC-SHA256 digests."""

import secrets

from django.db import transaction
from django.utils import timezone

from ..conf import app_settings
from ..core import crypto
from .models import RecoveryCode, RecoveryCodeSet

PURPOSE = "recovery-code"
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
CODE_LENGTH = 24  # 24 symbols of 31: 118 bits (ASVS 5.0 6.5.2: >= 112 bits needs no slow hash), six groups of four
GROUP = 4


def normalise(code):
    return "".join(ch for ch in (code or "").lower() if ch in ALPHABET)


def new_code():
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


@transaction.atomic
def regenerate(user):
    """Replace the user's codes with a new set; returns the codes, to show once."""
    RecoveryCodeSet.objects.filter(user=user).delete()
    code_set = RecoveryCodeSet.objects.create(user=user, name="Recovery codes")
    codes = [new_code() for _ in range(app_settings.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(code_set=code_set, digest=crypto.digest(normalise(code), PURPOSE)) for code in codes]
    )
    return codes


def use(user, code):
    """Spend one unused code of ``user``; True if it was one. Single use even under races."""
    code = normalise(code)
    if len(code) != CODE_LENGTH:
        return False
    spent = RecoveryCode.objects.filter(
        code_set__user=user, digest=crypto.digest(code, PURPOSE), used_at__isnull=True,
    ).update(used_at=timezone.now())
    return spent == 1


def remaining(user):
    return RecoveryCode.objects.filter(code_set__user=user, used_at__isnull=True).count()
