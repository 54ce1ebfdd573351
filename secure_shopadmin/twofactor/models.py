from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin

from ..core import crypto
from . import codes


class AuthenticatorDevice(TimestampMixin, Device):
    """A TOTP authenticator app (RFC 6238), its key encrypted at rest.

    Fields (besides django-otp's ``user``, ``name``, ``confirmed`` and timestamps; wrong codes are
    counted by the guard per account and client IP, not per device, so that whoever holds the
    password cannot lock the device for its owner):
        key_encrypted: the 20-byte secret, Fernet-encrypted (:mod:`secure_shopadmin.core.crypto`).
        step: seconds per code (30).
        digits: digits per code (6).
        last_t: the time step of the last accepted code; older or equal steps are refused (replay).

    An unconfirmed device is a pending enrolment: it becomes usable only after a valid code.
    """

    key_encrypted = models.TextField(_("encrypted key"))
    step = models.PositiveSmallIntegerField(_("step"), default=30)
    digits = models.PositiveSmallIntegerField(_("digits"), default=6)
    last_t = models.BigIntegerField(_("last accepted time step"), default=-1)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")
        permissions = [("reset_two_factor", _("Can reset another user's two-factor authentication"))]

    @property
    def key(self):
        return crypto.decrypt(self.key_encrypted)

    def verify_token(self, token):
        return codes.verify_totp(self, token)


class RecoveryCodeSet(TimestampMixin, Device):
    """The user's current set of single-use recovery codes (a django-otp device).

    Fields: as :class:`AuthenticatorDevice`'s django-otp fields; the codes are :class:`RecoveryCode` rows.
    """

    class Meta:
        verbose_name = _("recovery code set")
        verbose_name_plural = _("recovery code sets")

    def verify_token(self, token):
        return codes.spend_recovery(RecoveryCode.objects.filter(code_set=self), token)


class RecoveryCode(models.Model):
    """One recovery code, kept only as a keyed HMAC-SHA256 digest.

    Fields:
        code_set: the set it belongs to.
        digest: ``crypto.digest(code, "recovery-code")``; the code itself is shown once, never stored.
        used_at: when it was used (None while unused).
    """

    code_set = models.ForeignKey(RecoveryCodeSet, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(_("digest"), max_length=64, db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["code_set", "digest"], name="ssa_recovery_code_unique")]


class RememberedBrowser(models.Model):
    """A browser the user chose to remember: it skips the second factor until it expires.

    Fields:
        user: whose browser.
        token_digest: keyed digest of the random token in the browser's cookie.
        auth_fingerprint: digest of the user's session auth hash when remembered; a password
            change makes it stale.
        label: browser and OS as the user agent said, for the user's list.
        created_at, expires_at, last_used_at: its lifetime.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    auth_fingerprint = models.CharField(_("password fingerprint"), max_length=64)
    label = models.CharField(_("browser"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("remembered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("remembered browser")
        verbose_name_plural = _("remembered browsers")

    def __str__(self):
        return self.label or str(self.pk)


class EnrolmentLink(models.Model):
    """A single-use, expiring link that opens enrolment (or, for break-glass, a 2FA reset).

    Fields:
        user: who may enrol with it.
        token_digest: keyed digest of the token in the mailed URL.
        purpose: ``enrol`` (first device or re-enrolment) or ``break_glass`` (reset 2FA and unlock).
        issued_by: the owner who issued it (None: the pipeline or a management command).
        created_at, expires_at, used_at: its lifetime.
        mailed_at: when its mail left (None: not mailed, or the mail server failed).
    """

    class Purpose(models.TextChoices):
        ENROL = "enrol", _("Enrolment")
        BREAK_GLASS = "break_glass", _("Break-glass")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.ENROL)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > timezone.now()
