"""Second-factor signals; each is sent once, after the fact it names."""

from django.dispatch import Signal

#: A device was confirmed (an authenticator app, or a passkey registered). Args: request, user, device.
enrolled = Signal()
#: A login passed the second factor. Args: request, user, method ("passkey", "totp", "recovery", "remembered").
verified = Signal()
#: A wrong code, or a refused passkey answer, was given. Args: request, user.
verification_failed = Signal()
#: A recovery code was spent. Args: request, user, remaining.
recovery_code_used = Signal()
#: A user's devices were removed (by the user, an admin or break-glass). Args: request, user, actor, reason.
device_reset = Signal()
#: One device was removed by its user (the others stay). Args: request, user, actor, name.
device_removed = Signal()
