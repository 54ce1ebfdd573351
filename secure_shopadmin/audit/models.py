from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CONSOLE_LOGIN = "console_login", _("Console login")
    LOCKOUT = "lockout", _("Lockout")
    UNLOCK = "unlock", _("Unlock")
    ENROLMENT = "enrolment", _("Two-factor enrolment")
    ENROLMENT_LINK = "enrolment_link", _("Enrolment link issued")
    DEVICE_RESET = "device_reset", _("Two-factor reset")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PASSKEY_ADDED = "passkey_added", _("Passkey added")
    PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
    PASSKEY_CLONE_DETECTED = "passkey_clone_detected", _("Passkey refused: its sign counter went back")
    RESET_REQUIRED = "reset_required", _("Password reset required")
    RESET_MAILED = "reset_mailed", _("Password reset mailed")
    RESET_SATISFIED = "reset_satisfied", _("Password reset completed")
    RESET_CANCELLED = "reset_cancelled", _("Password reset cancelled")
    CAMPAIGN = "campaign", _("Breach campaign step")
    ALERT = "alert", _("Unfamiliar environment alert")
    NOT_ME = "not_me", _("“This wasn't me”")
    SESSIONS_ENDED = "sessions_ended", _("Sessions ended")
    HASH_WRAP = "hash_wrap", _("Legacy hash wrap run")
    LEGACY_IMPORT = "legacy_import", _("Legacy users imported")
    EMAIL_CHANGE_REQUESTED = "email_change_requested", _("E-mail address change asked")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    SESSION_TIMEOUT = "session_timeout", _("Session timed out")
    NETWORK_REFUSED = "network_refused", _("Console refused: network not allowed")
    CONSOLE_PASS = "console_pass", _("Break-glass console link")
    REAUTH = "reauth", _("Re-authentication")
    PRIVILEGE_GRANT = "privilege_grant", _("Privilege granted")
    PASSWORD_REMOVED = "password_removed", _("Password removed (signs in with a passkey)")
    RISK_CHALLENGE = "risk_challenge", _("Risky login: code mailed")
    RISK_PASSED = "risk_passed", _("Risky login: code given")
    RISK_FAILED = "risk_failed", _("Risky login: code failed")
    RISK_BLOCKED = "risk_blocked", _("Risky login: blocked")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Security events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Security events are deleted only by the retention command.")

    def _prune(self):
        """Delete these rows; reserved for the retention command."""
        return models.QuerySet.delete(self)


class SecurityEvent(models.Model):
    """One security action, kept after the users it names are deleted.

    Fields:
        kind: what happened (:class:`EventKind`).
        created_at: when it was written.
        actor, actor_username: who did it (None and "" for the system or an anonymous client);
            the username is a snapshot taken at write time.
        target, target_username: whose account it concerns, likewise.
        ip: the client IP of the request that caused it, if any.
        reason: the free text an operator gave.
        details: JSON facts of the event; never a password, secret, code or token.
        campaign: the breach campaign the event is a step of (None for any other event).
    """

    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices, db_index=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_username = models.CharField(_("actor username"), max_length=254, blank=True)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("target"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    target_username = models.CharField(_("target username"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    campaign = models.ForeignKey("secure_shopadmin.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="events")

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target_username or self.actor_username}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Security events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Security events are deleted only by the retention command.")


class SecurityOverview(models.Model):
    """No table: the admin's Security overview page hangs on this model (its "view" permission)."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("security overview")
        verbose_name_plural = _("security overview")
