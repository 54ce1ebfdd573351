from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsolePass(models.Model):
    """A break-glass link that lets one browser reach the console from outside ``CONSOLE_ALLOWED_NETWORKS``.

    Fields:
        token_digest: keyed digest of the printed token (the token itself is never stored).
        issued_by: who ran ``console_pass`` (``--by``, else the operating-system user).
        reason: why, as given on the command line.
        created_at, expires_at: when it was issued and until when it may be spent.
        used_at: when a browser spent it (set once, by a compare-and-set update); the pass it gave
            that browser's session lasts ``CONSOLE_MAX_AGE`` from then.
        revoked_at, revoked_by: when and by whom the pass was revoked (it then lets nobody in).
    """

    token_digest = models.CharField(_("token digest"), max_length=128, unique=True)
    issued_by = models.CharField(_("issued by"), max_length=150, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.CharField(_("revoked by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("break-glass console link")
        verbose_name_plural = _("break-glass console links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.issued_by} {self.created_at:%Y-%m-%d %H:%M}"


class PrivilegeSnapshot(models.Model):
    """Who held admin rights when ``security_report`` last ran, to tell what changed since.

    Fields:
        created_at: when the report took it.
        accounts: ``{user id: {"username", "is_active", "is_staff", "is_superuser", "groups",
            "permissions"}}`` of every staff or superuser account.
        seal: keyed digest of ``accounts`` (:mod:`secure_shopadmin.core.crypto`): a snapshot edited
            in the database is reported as such, not trusted.
    """

    created_at = models.DateTimeField(_("taken at"), default=timezone.now)
    accounts = models.JSONField(_("accounts"), default=dict)
    seal = models.CharField(_("seal"), max_length=128)

    class Meta:
        verbose_name = _("privilege snapshot")
        verbose_name_plural = _("privilege snapshots")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M}"
