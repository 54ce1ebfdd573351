from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin


class PasskeyDevice(TimestampMixin, Device):
    """A passkey or security key (a WebAuthn public-key credential) registered as a second factor.

    The authenticator keeps the private key; the shop keeps only what checks its signatures, none of
    it secret. Fields (besides django-otp's ``user``, ``name`` (the user's label for it) and
    ``confirmed`` (always True: a row is written only after a verified registration), and
    ``created_at`` / ``last_used_at`` from django-otp's ``TimestampMixin``):

        credential_id: the credential's id as the authenticator made it (up to 1,023 bytes), base64url
            without padding: the browser is told it in ``allowCredentials`` and names it in its answer.
        credential_digest: SHA-256 of the raw credential id, hex; unique, so one credential is
            registered once across all users, and indexed for the lookup (a long id cannot be indexed
            on every database).
        public_key: the credential's public key, a COSE_Key in CBOR bytes as the authenticator sent it.
        sign_count: the authenticator's signature counter at its last accepted use. A new assertion
            must carry a higher value, unless the authenticator keeps no counter (always 0, as synced
            passkeys do); a lower or equal one means a cloned key and is refused and audited.
        transports: how the browser may reach the authenticator (``usb``, ``nfc``, ``ble``,
            ``internal``, ``hybrid``), as reported at registration: a hint in ``allowCredentials``.
        sign_in: True when the credential may sign in alone, with no password: it was registered as
            a discoverable credential with user verification (a PIN or biometric). False: a second
            factor after the password only, whatever flags its later assertions carry.

    ``verify_token`` is always False: a passkey answers a challenge, it types no code, so
    django-otp's code matching (``match_token``) passes over it.
    """

    credential_id = models.TextField(_("credential id"))
    credential_digest = models.CharField(_("credential id digest"), max_length=64, unique=True)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.BigIntegerField(_("sign counter"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    sign_in = models.BooleanField(_("signs in alone"), default=False)

    class Meta:
        verbose_name = _("passkey or security key")
        verbose_name_plural = _("passkeys and security keys")

    def verify_token(self, token):
        return False
