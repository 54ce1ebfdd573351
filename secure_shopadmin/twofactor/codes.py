"""Checking the codes a user types: a TOTP code against a device, a recovery code against its digests.

The device models' ``verify_token`` (django-otp's interface) and this stage's services both check
through these functions, which import no model: each works on the device or queryset it is given.
"""

from django.utils import timezone
from django_otp.oath import TOTP

from ..conf import app_settings
from ..core import crypto
from ..core.sensitive import secret_variables

RECOVERY_PURPOSE = "recovery-code"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
#: 24 symbols of 31: 118 bits (ASVS 5.0 6.5.2: >= 112 bits needs no slow hash), six groups of four
RECOVERY_CODE_LENGTH = 24


#: fullwidth digits (a Japanese IME's) count as digits
FULLWIDTH_DIGITS = {0xFF10 + n: ord("0") + n for n in range(10)}


def parse_totp(token, digits):
    """The code as an int, or None when ``token`` is not exactly ``digits`` digits (spaces ignored).

    Fullwidth digits count as digits; any other character, superscripts and other scripts' digits
    included (``isdigit()`` is true for them, ``int()`` fails on some), makes it no code."""
    token = "".join((token or "").translate(FULLWIDTH_DIGITS).split())
    if len(token) != digits or not (token.isascii() and token.isdigit()):
        return None
    return int(token)


@secret_variables
def verify_totp(device, token):
    """True when ``token`` is the device's code within the tolerance and newer than the last one.

    The accepted time step is stored with a compare-and-set, so the same code cannot be used twice,
    even by two requests at once.
    """
    code = parse_totp(token, device.digits)
    if code is None:
        return False
    totp = TOTP(device.key, step=device.step, digits=device.digits)
    if not totp.verify(code, tolerance=app_settings.TOTP_TOLERANCE, min_t=device.last_t + 1):
        return False
    claimed = type(device).objects.filter(pk=device.pk, last_t__lt=totp.t()).update(  # one statement: atomic
        last_t=totp.t(), last_used_at=timezone.now(),
    )
    if claimed:
        device.last_t = totp.t()
    return bool(claimed)


def normalise_recovery(code):
    return "".join(ch for ch in (code or "").lower() if ch in RECOVERY_ALPHABET)


def recovery_digest(code):
    return crypto.digest(normalise_recovery(code), RECOVERY_PURPOSE)


@secret_variables
def spend_recovery(codes, code):
    """Spend one unused code of the ``codes`` queryset; True if ``code`` was one. Single use even under races."""
    if len(normalise_recovery(code)) != RECOVERY_CODE_LENGTH:
        return False
    return codes.filter(digest=recovery_digest(code), used_at__isnull=True).update(used_at=timezone.now()) == 1
