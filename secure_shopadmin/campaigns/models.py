"""A breach campaign (an "incident" in the admin), its targets, and where each target's steps stand."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft: choosing targets")
    APPLIED = "applied", _("Applied: resets required, mails going out")
    CLOSED = "closed", _("Closed: kept for the record")


class RunState(models.TextChoices):
    IDLE = "idle", _("Not started")
    STARTING = "starting", _("Starting")
    RUNNING = "running", _("Running")
    WRAPPING = "wrapping", _("Contained and mailed; task queue workers wrapping")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Stopped with an error")


class Campaign(models.Model):
    """One breach response: whom it concerns, what was done to them, and how far it got.

    Fields:
        name: a short title ("2024-05 police notice").
        description: what happened and what is known (shown to operators, never to users).
        reason: the text kept in the audit trail of every reset it requires.
        created_by, created_at: who opened it and when.
        state: draft (targets are chosen, nothing is changed) → applied → closed.
        applied_by, applied_at: who applied it and when (the run then does the work).
        closed_by, closed_at: who closed it and when; a closed campaign keeps all its rows.
        wrap_hashes: wrap the targets' former fast legacy hashes (kept, encrypted, on their reset
            requirements) in argon2id once every target is contained.
        send_mails: mail each target the campaign's reset mail.
        mail_subject_en, mail_body_en, mail_subject_ja, mail_body_ja: the campaign's mail, in
            English and Japanese; the body must hold ``{link}`` and may hold ``{username}``,
            ``{shop_name}`` and ``{expires}``. Users whose language is not Japanese get English.
        base_url: scheme and host of the links in its mails (empty: ``RESET_BASE_URL``/``SITE_URL``).
        run_state: where the background run stands (see :class:`RunState`).
        run_started_at, run_heartbeat_at, run_finished_at: the last run's start, its latest
            sign of life (after each batch) and its end; a ``running`` run whose heartbeat is
            older than ``CAMPAIGN_STALE_AFTER`` seconds was killed and may be resumed.
        run_pid: process id of the last run (informational).
        run_error: the last run's error (exception class and message; never a secret).
        run_report: JSON of the last run: counts, the mails left in ``sending`` and failed addresses.
        phases: JSON of each phase (``contain``, ``mail``, ``wrap``): when it started and finished, and
            how many of its items were done when it started (its rate and ETA count from there).
    """

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reason = models.CharField(_("reason (audit trail)"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=8, choices=CampaignState.choices, default=CampaignState.DRAFT)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("applied by"), editable=False)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("closed by"), editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    wrap_hashes = models.BooleanField(_("wrap legacy hashes"), default=True, help_text=_(
        "Once every target is contained, wrap the former fast legacy hashes kept for the reset in argon2id, so "
        "even they are costly to crack."))
    send_mails = models.BooleanField(_("mail the targets"), default=True)
    mail_subject_en = models.CharField(_("mail subject (English)"), max_length=200, blank=True)
    mail_body_en = models.TextField(_("mail body (English)"), blank=True)
    mail_subject_ja = models.CharField(_("mail subject (Japanese)"), max_length=200, blank=True)
    mail_body_ja = models.TextField(_("mail body (Japanese)"), blank=True)
    base_url = models.CharField(_("link base URL"), max_length=200, blank=True, help_text=_(
        "Scheme and host of the links in the mails, e.g. https://shop.example (empty: the configured one)."))
    run_state = models.CharField(_("run"), max_length=8, choices=RunState.choices, default=RunState.IDLE,
                                 editable=False)
    run_started_at = models.DateTimeField(_("run started at"), null=True, blank=True, editable=False)
    run_heartbeat_at = models.DateTimeField(_("run last seen at"), null=True, blank=True, editable=False)
    run_finished_at = models.DateTimeField(_("run finished at"), null=True, blank=True, editable=False)
    run_pid = models.IntegerField(_("run process id"), null=True, blank=True, editable=False)
    run_error = models.TextField(_("run error"), blank=True, editable=False)
    run_report = models.JSONField(_("run report"), default=dict, blank=True, editable=False)
    phases = models.JSONField(_("phases"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("incident (breach campaign)")
        verbose_name_plural = _("incidents (breach campaigns)")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.name}"

    @property
    def is_draft(self):
        return self.state == CampaignState.DRAFT

    def audit_reason(self):
        return f"campaign #{self.pk}: {self.reason or self.name}"


class SourceKind(models.TextChoices):
    UPLOAD = "upload", _("Uploaded list of usernames or e-mail addresses")
    SELECTION = "selection", _("Selection in the user list")
    ALL_STAFF = "all_staff", _("All staff")
    INACTIVE = "inactive", _("Members who have not logged in since a date")
    LEGACY = "legacy", _("Accounts with a legacy or wrapped hash")


class CampaignSource(models.Model):
    """One way targets were added to a campaign, with what its lines came to (the preview's figures).

    Fields:
        campaign: the campaign.
        kind: :class:`SourceKind`.
        label: the file name, the date, or how many users were selected.
        added_by, added_at: who added it and when.
        lines: non-blank, non-comment lines read (uploads only).
        matched: users it named.
        added: of those, users who were not targets yet.
        duplicates: lines naming the same entry again (uploads only).
        unknown: lines that named no user, or several (an address shared by several users), and
            lines that were not UTF-8 (``line N``) — kept for the operator (uploads only).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sources",
                                 verbose_name=_("campaign"))
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    label = models.CharField(_("label"), max_length=255, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    added = models.PositiveIntegerField(_("new targets"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicate lines"), default=0)
    unknown = models.JSONField(_("unknown lines"), default=list, blank=True)

    class Meta:
        verbose_name = _("campaign source")
        verbose_name_plural = _("campaign sources")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}".strip()


class CampaignTarget(models.Model):
    """One account a campaign concerns, and each step's time: a killed run resumes where it stopped.

    Fields:
        campaign: the campaign.
        user: the account (None once the user is deleted; ``username`` keeps the name).
        username: snapshot of the username when added.
        is_staff: snapshot of the staff flag when added (the preview's staff/member split).
        source: the first source that named it.
        added_at: when it was added.
        wrap_state: ``""`` not looked at yet; ``wrapped`` (the former fast legacy hash kept on the
            requirement was wrapped by the run), ``slow`` (a slow legacy hash, kept as it is),
            ``none`` (no legacy hash), ``skipped`` (the campaign does not wrap), ``changed`` (the
            requirement changed between read and write, e.g. the reset was done; left as it was).
        required_at: when the run required the reset (in the batch's transaction, together with
            ending sessions, API tokens and remembered browsers); None: not yet.
        requirement: the pending reset requirement it was given or found.
        needs_enrolment: staff (under the 2FA policy) without a device at that time: the reset
            link proves the address and the second-factor stage then demands enrolment.
        mail: the queued campaign mail (its state is the mail's progress); None: not queued
            (not yet, no address, or the campaign sends none).
        mailed_at: when that mail left.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets",
                                 verbose_name=_("campaign"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=254)
    is_staff = models.BooleanField(_("staff"), default=False)
    source = models.ForeignKey(CampaignSource, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("source"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    wrap_state = models.CharField(_("hash"), max_length=8, blank=True)
    required_at = models.DateTimeField(_("reset required at"), null=True, blank=True)
    requirement = models.ForeignKey("secure_shopadmin.ResetRequirement", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", verbose_name=_("requirement"))
    needs_enrolment = models.BooleanField(_("must enrol a second factor"), default=False)
    mail = models.ForeignKey("secure_shopadmin.OutgoingMail", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="campaign_targets", verbose_name=_("mail"))
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="ssa_campaign_target_once")]
        indexes = [models.Index(fields=["campaign", "required_at", "id"], name="ssa_campaign_target_step")]

    def __str__(self):
        return self.username
