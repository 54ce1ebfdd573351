from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsolePass(models.Model):
    """A break-glass link that lets one browser reach the console from outside ``CONSOLE_ALLOWED_NETWORKS``.

    Fields:
        token_digest: keyed digest of the printed token (the token itself is never stored).
        issued_by: who ran ``console_pass`` (``--by``, else the operating-system user).
        reason: why, as given on the command line.
        created_at, expires_at: when it was issued and until when it may be spent.
        used_at: when a browser spent it (set once, by a compare-and-set update).
    """

    token_digest = models.CharField(_("token digest"), max_length=128, unique=True)
    issued_by = models.CharField(_("issued by"), max_length=150, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("break-glass console link")
        verbose_name_plural = _("break-glass console links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.issued_by} {self.created_at:%Y-%m-%d %H:%M}"
