"""Models several stages share: the session registry and the browsers that completed a login."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .steps import Channel


class UserSession(models.Model):
    """One session the pipeline logged in, so that every session of a user can be ended.

    Fields:
        user: whose session it is.
        key_digest: keyed digest of the session key, to find the row again (rotation, logout).
        key_encrypted: the session key encrypted at rest (the backend needs it to delete the session).
        channel: the login path (console, storefront, api).
        created_at: when the pipeline logged the session in.
        rotated_at: when Django last rotated its key (None if never).
        login_record: the :class:`LoginRecord` of the login that opened it (None when login
            history is off, or once the record was pruned).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    key_digest = models.CharField(_("session key digest"), max_length=64, unique=True)
    key_encrypted = models.TextField(_("encrypted session key"))
    channel = models.CharField(_("login path"), max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(_("logged in at"), default=timezone.now)
    rotated_at = models.DateTimeField(_("key rotated at"), null=True, blank=True)
    login_record = models.ForeignKey("secure_shopadmin.LoginRecord", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="sessions", verbose_name=_("login record"))

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.user_id} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class KnownDevice(models.Model):
    """A browser (its device cookie) that completed a login of this user.

    Fields:
        user: whose login it completed.
        device_digest: keyed digest of the device cookie's id (the id itself is never stored).
        first_seen, last_seen: the first and the latest completed login from it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    device_digest = models.CharField(_("device digest"), max_length=64)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [models.UniqueConstraint(fields=["user", "device_digest"], name="ssa_known_device_unique")]

    def __str__(self):
        return f"{self.user_id} {self.device_digest[:8]}"


class MailLanguage(models.Model):
    """The language a user's mails are written in: the one of their last login (or language switch).

    ``USER_LANGUAGE``'s default reads it, so mails a command sends (a forced reset, a campaign) reach
    a member who logs in in Japanese in Japanese.

    Fields:
        user: whose language (the primary key: one row a user).
        language: a code of ``settings.LANGUAGES`` (e.g. ``ja``).
        updated_at: when it last changed.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="ssa_mail_language", verbose_name=_("user"))
    language = models.CharField(_("language"), max_length=15)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mail language")
        verbose_name_plural = _("mail languages")

    def __str__(self):
        return f"{self.user_id} {self.language}"


class ApiToken(models.Model):
    """An API token: a second-factor credential, kept only as a digest.

    The key is shown once, when issued; the row holds its keyed HMAC-SHA256 digest, so a dump of
    the table gives no usable token. A token works only while the user's password (its session auth
    hash) is the one it was issued under, and every token of a user is revoked when the user comes
    under the 2FA policy, loses or resets a device, gets a forced reset or says "this wasn't me".

    Fields:
        user: whose token.
        digest: keyed digest of the key (:func:`secure_shopadmin.core.api_tokens.digest`).
        prefix: the key's first characters, to tell tokens apart in lists (not enough to use one).
        verified: the login that obtained it passed the second factor (a user under the 2FA policy
            can use only such a token).
        auth_fingerprint: digest of the user's session auth hash when issued; a password change voids it.
        created_at, last_used_at: its lifetime.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    digest = models.CharField(_("token digest"), max_length=64, unique=True)
    prefix = models.CharField(_("token prefix"), max_length=8)
    verified = models.BooleanField(_("second factor passed"), default=False)
    auth_fingerprint = models.CharField(_("password fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
