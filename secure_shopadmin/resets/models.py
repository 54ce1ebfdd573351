"""Forced password resets and the outgoing-mail queue they (and the breach campaign) send through."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResetMode(models.TextChoices):
    COMPROMISED = "compromised", _("Compromised: password unusable, e-mail link required")
    CHANGE = "change", _("Change: new password after the next login")


class ResetCategory(models.TextChoices):
    """Why the reset was required, as the user is told (mails and pages); the operator picks it."""

    COMPROMISE = "compromise", _("Suspected compromise of this account (phishing report, unusual activity)")
    POLICY = "policy", _("Policy or precaution (no sign that the password is known to anyone)")
    BREACH = "breach", _("Breach: the shop's account data may have been exposed")
    MEMBER = "member", _("The user asked (answered \"this wasn't me\")")

    @classmethod
    def default_for(cls, mode):
        """The category of a reset whose operator chose none: a compromise in compromised mode, else policy."""
        return cls.COMPROMISE if mode == ResetMode.COMPROMISED else cls.POLICY


#: the categories an operator chooses from (MEMBER is set only by the user's own answer)
OPERATOR_CATEGORIES = [(c.value, c.label) for c in ResetCategory if c != ResetCategory.MEMBER]


class ResetRequirementQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(satisfied_at__isnull=True, cancelled_at__isnull=True)

    def satisfied(self):
        return self.filter(satisfied_at__isnull=False)

    def cancelled(self):
        return self.filter(cancelled_at__isnull=False)


PENDING = Q(satisfied_at__isnull=True, cancelled_at__isnull=True)


class ResetRequirement(models.Model):
    """A user must choose a new password before logging in again.

    Pending while neither ``satisfied_at`` nor ``cancelled_at`` is set; a user has at most one
    pending requirement (a partial unique index; the services also skip users who have one).

    Fields:
        user: who must reset.
        mode: ``compromised`` (password unusable at once, e-mail link and, for staff, the second
            factor before the new password) or ``change`` (new password after a normal login).
        category: why, as the user is told: suspected compromise, policy, breach, or the user asked
            (:class:`ResetCategory`); the mails and pages say what happened from it.
        reason: the operator's free text (shown in the admin and the audit trail, not to the user).
        required_by: the operator who required it (None: a command or the system).
        required_at: when it was required.
        old_password_wrapped: the user's former ``User.password`` string (a hash, never a password),
            Fernet-encrypted; kept only to refuse the same password again; emptied once satisfied
            or cancelled. Empty in ``change`` mode (the current hash serves).
        link_digest: keyed digest of the token of the last mailed link (the token itself is only
            in the mail); empty until a link is mailed. A new mail replaces it.
        link_expires_at: when that link stops working.
        link_used_at: when that link was used (compare-and-set: a link works once).
        mailed_at: when the last reset mail was sent (None: never).
        mail_count: how many reset mails were sent for it.
        satisfied_at: when the user set a new password.
        cancelled_at, cancelled_by: when and by whom it was withdrawn.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    mode = models.CharField(_("mode"), max_length=16, choices=ResetMode.choices, default=ResetMode.COMPROMISED)
    category = models.CharField(_("reason category"), max_length=16, choices=ResetCategory.choices,
                                default=ResetCategory.COMPROMISE)
    reason = models.TextField(_("reason"), blank=True)
    required_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("required by"))
    required_at = models.DateTimeField(_("required at"), default=timezone.now, db_index=True)
    old_password_wrapped = models.TextField(_("former password hash (encrypted)"), blank=True, editable=False)
    link_digest = models.CharField(_("link digest"), max_length=64, blank=True, db_index=True, editable=False)
    link_expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    link_used_at = models.DateTimeField(_("link used at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    mail_count = models.PositiveIntegerField(_("mails sent"), default=0)
    satisfied_at = models.DateTimeField(_("satisfied at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("cancelled by"))

    objects = ResetRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("password reset requirement")
        verbose_name_plural = _("password reset requirements")
        ordering = ["-required_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=PENDING, name="ssa_one_pending_reset_per_user"),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} ({self.status_label})"

    @property
    def is_pending(self):
        return self.satisfied_at is None and self.cancelled_at is None

    @property
    def status_label(self):
        if self.satisfied_at:
            return _("satisfied")
        if self.cancelled_at:
            return _("cancelled")
        if self.mailed_at:
            return _("pending, mailed")
        return _("pending")


class MailState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending (uncertain)")
    SENT = "sent", _("Sent")
    FAILED = "failed", pgettext_lazy("mail state", "Failed")


class OutgoingMail(models.Model):
    """One mail to one user, with a state, so a run can be resumed without sending anything twice.

    queued → sending (claimed by a compare-and-set before the send) → sent | failed. A failed mail
    goes back to queued on the next run until ``MAIL_MAX_ATTEMPTS``; a mail left in ``sending`` by
    a killed run may or may not have left: it is never resent automatically, only listed for the
    operator (command output, admin), who requeues or closes it.

    Fields:
        user: the recipient (the mail goes to the address the user has at send time).
        template: the mail's name under ``secure_shopadmin/mail/`` (``reset_link``, ``password_changed``…).
        context: JSON context for the template; never a secret — secrets (a link token) are made
            at send time by the template's preparer (:func:`secure_shopadmin.resets.outbox.preparer`).
        dedupe_key: a key unique among mails (e.g. ``reset:42:1``), so re-queuing is a no-op; may be empty.
        state: see above.
        attempts: send attempts so far.
        last_error: the last failure's exception class and message (no secrets).
        created_at, claimed_at, sent_at: its lifetime.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("recipient"))
    template = models.CharField(_("mail"), max_length=64)
    context = models.JSONField(_("context"), default=dict, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=128, null=True, blank=True, unique=True)
    state = models.CharField(_("state"), max_length=8, choices=MailState.choices, default=MailState.QUEUED,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "id"])]

    def __str__(self):
        return f"{self.template} → {self.user_id} ({self.get_state_display()})"


class EmailChangeLink(models.Model):
    """A link mailed to a new e-mail address: the address changes when it is used, once.

    Single use comes from this row (``used_at``, set with a compare-and-set), not from the user's
    state: a link stays spent even after the address is changed back (A → B → A).

    Fields:
        user: whose address changes.
        token_digest: keyed digest of the token in the mailed URL (the token is never stored).
        new_email: the address the link confirms.
        state_digest: digest of the user's password hash when asked; a password change or forced
            reset voids the link.
        created_at, expires_at, used_at: its lifetime.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    new_email = models.EmailField(_("new e-mail address"), max_length=254)
    state_digest = models.CharField(_("password fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail change link")
        verbose_name_plural = _("e-mail change links")
