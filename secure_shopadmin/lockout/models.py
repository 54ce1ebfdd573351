"""The guard's state in the database: one counter row per rule and key, unlock links, notices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class Rule(models.TextChoices):
    PAIR = rules.PAIR, _("account and IP")
    IP = rules.IP, _("IP address")
    ACCOUNT = rules.ACCOUNT, _("account")
    OTP = rules.OTP, _("codes from account and IP")
    OTP_ACCOUNT = rules.OTP_ACCOUNT, _("codes from any network")
    MAIL = rules.MAIL, _("mail interval")


class CounterQuerySet(models.QuerySet):
    def locked(self, now):
        """Rows that refuse attempts at ``now`` (a lock, or an account's delay)."""
        return self.filter(models.Q(locked_until__gt=now) | models.Q(delayed_until__gt=now)).exclude(
            rule=rules.MAIL)


class Counter(models.Model):
    """The state of one rule for one key; written only with the row locked (``select_for_update``).

    Fields:
        rule: which rule (:class:`Rule`).
        username: the normalised username (``keys.normalise_username``) for the pair, account and
            otp rules, else "". Unknown usernames are counted too: the guard never looks them up.
        ip: the client IP counting key (IPv4, or an IPv6 /64) for the pair, ip and otp rules, else "";
            for the mail rule, the kind of mail.
        failures: failures counted since the window began, the last lock ended or the last success.
        window_started_at: when the current counting window began (the first counted failure).
        last_failure_at: the latest counted failure (also when a slot was reserved).
        locked_until: refuse every attempt until then; ``rules.UNTIL_UNLOCKED`` waits for an unlock.
        delayed_until: the account's delay: refuse until then, except from a known browser.
        level: how many times a pair has locked since its failures were last forgotten.
    """

    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    username = models.CharField(_("username"), max_length=160, blank=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("window started"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)
    delayed_until = models.DateTimeField(_("delayed until"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("lock level"), default=0)

    objects = CounterQuerySet.as_manager()

    class Meta:
        verbose_name = _("lock")
        verbose_name_plural = _("locks")
        constraints = [models.UniqueConstraint(fields=["rule", "username", "ip"], name="ssa_lockout_counter_key")]

    def __str__(self):
        return " / ".join(part for part in (self.get_rule_display(), self.username, self.ip) if part)


class UnlockLink(models.Model):
    """A mailed single-use link that frees the browser which confirms it from an account's locks.

    Fields:
        user: the account's holder.
        username: the normalised username the counters use.
        token_digest: keyed digest of the mailed token (``tokens.token_digest(token, "unlock")``).
        created_at, expires_at: when it was mailed and until when it may be confirmed.
        used_at: when a browser confirmed it (set once, by a compare-and-set update).
        device_digest: that browser's device-cookie digest: the browser that may pass.
        pass_until: until when that browser passes the account's and its pair's locks.
        attempts_left: passwords that browser may still try through those locks.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=160, db_index=True)
    token_digest = models.CharField(_("token digest"), max_length=128, unique=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    device_digest = models.CharField(_("browser"), max_length=128, blank=True)
    pass_until = models.DateTimeField(_("passes until"), null=True, blank=True)
    attempts_left = models.PositiveSmallIntegerField(_("attempts left"), default=0)

    class Meta:
        verbose_name = _("unlock link")
        verbose_name_plural = _("unlock links")


class GuardNotice(models.Model):
    """A configuration problem the guard noticed at run time, shown on the admin's lock list.

    Fields:
        code: what was noticed (e.g. ``forwarded_header_untrusted``).
        first_seen, last_seen: when it was noticed first and last (last: at most once per process).
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("guard notice")
        verbose_name_plural = _("guard notices")


class DailyFailures(models.Model):
    """Wrong passwords and codes per day (local date), for the Security overview's chart.

    Fields:
        day: the date in the shop's time zone.
        failures: wrong passwords and wrong codes counted by the guard that day.
    """

    day = models.DateField(_("day"), unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        verbose_name = _("failures per day")
        verbose_name_plural = _("failures per day")

    def __str__(self):
        return f"{self.day}: {self.failures}"
