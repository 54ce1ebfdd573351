from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..core.steps import Channel


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", pgettext_lazy("login outcome", "Logged in")
    FAILED = "failed", pgettext_lazy("login outcome", "Failed")
    REFUSED = "refused", _("Refused (locked or throttled)")
    CHALLENGED = "challenged", _("Risky: code mailed")
    BLOCKED = "blocked", _("Risky: blocked")


class AlertDecision(models.TextChoices):
    """What became of a login's environment check (see docs/alerts.rst for the rules)."""

    FAMILIAR = "familiar", _("Familiar environment")
    SENT = "sent", _("Alert mailed")
    FIRST_LOGIN = "first_login", _("First recorded login, learned silently")
    MAIL_PROVEN = "mail_proven", _("Login through a mailed link, learned silently")
    RATE_LIMITED = "rate_limited", _("Not mailed: alert limit reached")
    NO_ADDRESS = "no_address", _("Not mailed: no e-mail address")
    DISABLED = "disabled", _("Not mailed: alerts turned off")
    NOT_CHECKED = "not_checked", _("Not checked (failed login)")
    LOW_RISK = "low_risk", _("Not mailed: low risk")


RISK_LEVELS = [("low", _("low")), ("medium", _("medium")), ("high", _("high"))]


class LoginRecord(models.Model):
    """One login of a user: every successful one, and for staff the failed ones too.

    Fields:
        user: whose account it was (a failed attempt is recorded only when the username names staff).
        created_at: when the login completed (or failed).
        outcome: :class:`LoginOutcome`.
        channel: the login path: ``console``, ``storefront`` or ``api``.
        ip: the client IP as the guard sees it (``audit.services.client_ip``).
        ip_prefix: the network the IP belongs to (``/24`` for IPv4, ``/64`` for IPv6 by default),
            the unit in which a changed IP still counts as the same network.
        user_agent: the User-Agent header, truncated to 512 characters.
        browser, browser_version, os: browser family, its major version, OS family, parsed by ``ua-parser``.
        device_digest: keyed digest of the device cookie's id ("" when the browser had none).
        session_digest: keyed digest of the session key at login (never the key itself), the
            reference to the session; the live session, while it lasts, is ``sessions`` (a
            :class:`UserSession` points here, so ending sessions never touches this table).
        new_environment: the environment was unfamiliar (None: not checked).
        alert: :class:`AlertDecision`, why a mail was or was not sent.
        disowned_at: when the user answered "this wasn't me" for it; a disowned login never
            makes its environment familiar.
        country, region, city, latitude, longitude: where the shop's GeoIP databases place the IP
            (coordinates rounded to 0.1 degree); asn, as_org: its network owner; geo_built: the
            databases' build date ("" / None: unknown).
        risk_level, risk_score, risk_reasons: the login's risk assessment (docs/risk.rst);
            risk_reasons is a comma-separated list of reason names.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=LoginOutcome.choices,
                               default=LoginOutcome.SUCCESS)
    channel = models.CharField(_("login path"), max_length=16, choices=Channel.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    ip_prefix = models.CharField(_("network"), max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    browser = models.CharField(_("browser"), max_length=64, blank=True)
    browser_version = models.CharField(_("browser version"), max_length=16, blank=True)
    os = models.CharField(_("operating system"), max_length=64, blank=True)
    device_digest = models.CharField(_("device digest"), max_length=64, blank=True)
    session_digest = models.CharField(_("session key digest at login"), max_length=64, blank=True)
    new_environment = models.BooleanField(_("new environment"), null=True)
    alert = models.CharField(_("alert"), max_length=16, choices=AlertDecision.choices,
                             default=AlertDecision.NOT_CHECKED)
    disowned_at = models.DateTimeField(_("disowned at"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=128, blank=True)
    city = models.CharField(_("city"), max_length=128, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    asn = models.PositiveBigIntegerField(_("network owner (ASN)"), null=True, blank=True)
    as_org = models.CharField(_("network owner"), max_length=128, blank=True)
    place_names = models.JSONField(_("place"), default=dict, blank=True)
    geo_built = models.DateField(_("GeoIP database date"), null=True, blank=True)
    risk_level = models.CharField(_("risk"), max_length=8, blank=True, choices=RISK_LEVELS)
    risk_score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True)
    risk_reasons = models.CharField(_("risk reasons"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("login record")
        verbose_name_plural = _("login records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "outcome", "created_at"], name="ssa_login_user_time"),
            models.Index(fields=["ip"], name="ssa_login_ip"),
        ]
        permissions = [("end_user_sessions", _("Can end a user's sessions"))]

    def __str__(self):
        return f"{self.user_id} {self.get_outcome_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def environment(self):
        """Browser and OS in words, for pages and mails."""
        browser = " ".join(filter(None, [self.browser, self.browser_version])) or "?"
        return f"{browser} / {self.os or '?'}"

    @property
    def device_label(self):
        """ "Chrome on Windows", in the current language ("" when neither is known)."""
        if self.browser and self.os:
            return gettext("%(browser)s on %(os)s") % {"browser": self.browser, "os": self.os}
        return self.browser or self.os

    @property
    def place(self):
        """ "Osaka, Japan" in the current language (English names when the database has none), or ""."""
        names = self.place_names or {}
        return names.get((get_language() or "en").split("-")[0]) or names.get("en") or self.country

    @property
    def network_owner(self):
        """ "Example Net (AS64500)", or ""."""
        if self.asn is None:
            return self.as_org
        return f"{self.as_org} (AS{self.asn})" if self.as_org else f"AS{self.asn}"

    @property
    def where(self):
        """Place, network owner and device, joined by " · "; today's facts (IP, browser) when unplaced."""
        parts = [self.place or self.ip or "?", self.network_owner, self.device_label or self.environment]
        return " · ".join(part for part in parts if part)

    @property
    def reason_names(self):
        return [name for name in self.risk_reasons.split(",") if name]


class EnvironmentAlert(models.Model):
    """The alert mailed for a login from an unfamiliar environment, with its two single-use links.

    Fields:
        record: the login it is about.
        user: whom it was mailed to.
        created_at, expires_at: when it was mailed and until when its links act.
        confirm_digest, deny_digest: keyed digests of the "this was me" and "this wasn't me"
            tokens (the tokens exist only in the mail).
        confirmed_at: when "this was me" was confirmed (that link is then spent).
        denied_at: when "this wasn't me" was confirmed (both links are then spent).
    """

    record = models.OneToOneField(LoginRecord, on_delete=models.CASCADE, related_name="alert_mail",
                                  verbose_name=_("login record"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    created_at = models.DateTimeField(_("mailed at"), default=timezone.now)
    expires_at = models.DateTimeField(_("links expire at"))
    confirm_digest = models.CharField(_("'this was me' token digest"), max_length=64, unique=True)
    deny_digest = models.CharField(_("'this wasn't me' token digest"), max_length=64, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    denied_at = models.DateTimeField(_("disowned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("environment alert")
        verbose_name_plural = _("environment alerts")
        indexes = [models.Index(fields=["user", "created_at"], name="ssa_alert_user_time")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class RiskChallenge(models.Model):
    """An e-mailed code a risky login must give before it completes (docs/risk.rst).

    Fields:
        user: whose login it is; record: the login record of the attempt (outcome ``challenged``).
        binding_digest: keyed digest of a random id kept in that attempt's partial login: a code
            opens only the login it was mailed for.
        code_digest: keyed digest of the code (bound to the same id); the code exists only in the mail.
        deny_digest: keyed digest of the mail's "this wasn't me" token (its lookup);
            deny_token_encrypted: the same token encrypted (core.crypto), so a resent code's mail
            carries the same link as the first (like the session keys of the session registry).
        level, reasons: the assessment that asked for it.
        mailed_at: when the last code was mailed (resends are throttled); expires_at: the code's end.
        failures: wrong codes given; passed_at: when the right code completed the step (spent).
        denied_at: when "this wasn't me" was confirmed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    record = models.OneToOneField(LoginRecord, on_delete=models.CASCADE, related_name="risk_challenge",
                                  verbose_name=_("login record"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    binding_digest = models.CharField(_("login binding digest"), max_length=64, unique=True)
    code_digest = models.CharField(_("code digest"), max_length=64)
    deny_digest = models.CharField(_("'this wasn't me' token digest"), max_length=64, unique=True)
    deny_token_encrypted = models.TextField(_("'this wasn't me' token, encrypted"))
    level = models.CharField(_("risk"), max_length=8)
    reasons = models.CharField(_("risk reasons"), max_length=255, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), default=timezone.now)
    expires_at = models.DateTimeField(_("code expires at"))
    failures = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    passed_at = models.DateTimeField(_("passed at"), null=True, blank=True)
    denied_at = models.DateTimeField(_("disowned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk challenge")
        verbose_name_plural = _("risk challenges")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
