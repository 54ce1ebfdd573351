"""E-mail address changes: the address is the proof channel of every forced reset.

* Self-service (:class:`EmailChangeForm`, view ``secure_shopadmin:email_change``): the password
  again, through the guard (``authenticate()``, so failures count), and, for users under the 2FA
  policy, a current code, checked by the function the view hands in (``check_code``: the one code
  check of the pipeline layer, which takes a slot of the guard's code budget before checking).
* Confirmation (``EMAIL_CHANGE_CONFIRM``): the new address takes effect only when the link mailed
  to it is used (:func:`request_change`, :func:`confirm_change`). The link's token is kept only as
  a digest on an :class:`~secure_shopadmin.resets.models.EmailChangeLink` row, which is spent once
  (compare-and-set), whatever the address is changed to later (A → B → A does not revive it); it
  expires after ``EMAIL_CHANGE_CONFIRM_MAX_AGE`` and is void after a password change or forced reset.
* Model-level guard (:func:`guard_email_change`, a ``pre_save`` receiver on the user model): any
  save that changes the address of a user with a pending ``compromised`` requirement is refused
  with :class:`EmailChangeFrozen` (the admin answers 403), and after any change of address the
  former address is mailed (``email_changed``). ``QuerySet.update()`` bypasses model signals.
"""

from datetime import timedelta

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..audit.models import EventKind, SecurityEvent
from ..audit.services import record
from ..conf import app_settings
from ..core import crypto, mail, tokens
from ..core.links import absolute_url
from ..core.policy import requires_2fa
from ..core.sensitive import secret_variables
from .models import EmailChangeLink, ResetMode, ResetRequirement

FORMER_EMAIL_ATTR = "_secure_shopadmin_former_email"
LINK_PURPOSE = "email_confirm"
#: what :func:`request_change` did
CHANGED, MAILED, FAILED = "changed", "mailed", "failed"


class EmailChangeFrozen(PermissionDenied):
    """The address of a user with a pending ``compromised`` reset cannot change."""


def is_frozen(user_id):
    return ResetRequirement.objects.pending().filter(user_id=user_id, mode=ResetMode.COMPROMISED).exists()


def code_required(user):
    return bool(app_settings.EMAIL_CHANGE_CODE_REQUIRED) and requires_2fa(user)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    otp_token = forms.CharField(label=_("Code from your authenticator app"), max_length=16, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                              "inputmode": "numeric"}))

    def __init__(self, user, *args, request=None, check_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request, self.check_code = user, request, check_code
        self.retry_after = 0  # > 0: the code budget is spent (the view answers 429)
        if not code_required(user):
            del self.fields["otp_token"]
        else:
            self.fields["otp_token"].required = True

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email.strip().lower() == (getattr(self.user, self.user.get_email_field_name()) or "").lower():
            raise ValidationError(gettext("This is already your address."), code="same_email")
        return email

    def clean(self):
        if is_frozen(self.user.pk):
            raise ValidationError(gettext("Your address cannot change while a password reset is pending."),
                                  code="frozen")
        if links_exhausted(self.user):
            raise ValidationError(gettext("You have asked for several links in the last hour. Please open one of "
                                          "them, or try again later."), code="too_many_links")
        password = self.cleaned_data.get("password")
        if password:
            try:
                checked = authenticate(self.request, username=self.user.get_username(), password=password)
            except PermissionDenied:
                checked = None
            if checked is None or checked.pk != self.user.pk:
                raise ValidationError(gettext("Your password was not right."), code="reauth_failed")
            if "otp_token" in self.fields and self.cleaned_data.get("otp_token"):
                self.clean_code(self.cleaned_data["otp_token"])
        return self.cleaned_data

    def clean_code(self, token):
        """The code, through the guard's budget (checked only after the password was right)."""
        if self.check_code is None:  # no checker handed in: fail closed
            raise ValidationError(gettext("The code was not right."), code="code_failed")
        checked = self.check_code(self.request, self.user, token)
        if checked.retry_after:
            self.retry_after = checked.retry_after
            raise ValidationError(gettext("Too many wrong codes. Please try again later."), code="throttled")
        if not checked.ok:
            raise ValidationError(gettext("The code was not right."), code="code_failed")


def links_exhausted(user):
    """Whether ``user`` had ``EMAIL_CHANGE_LINKS_PER_HOUR`` confirmation links mailed in the last hour."""
    if not app_settings.EMAIL_CHANGE_CONFIRM:
        return False
    recent = SecurityEvent.objects.filter(kind=EventKind.EMAIL_CHANGE_REQUESTED, target_id=user.pk,
                                          created_at__gt=timezone.now() - timedelta(hours=1))
    return recent.count() >= app_settings.EMAIL_CHANGE_LINKS_PER_HOUR


def change_email(user, new_email, request=None):
    """Set the new address (the model-level guard checks the freeze and mails the former address)."""
    setattr(user, user.get_email_field_name(), new_email)
    user.save(update_fields=[user.get_email_field_name()])


@secret_variables
def request_change(user, new_email, request=None):
    """Ask for ``new_email``: mail it a confirmation link, or change at once without ``EMAIL_CHANGE_CONFIRM``.

    Returns CHANGED (the address changed now), MAILED (the link left) or FAILED (the mail server failed:
    logged; nothing changed)."""
    if not app_settings.EMAIL_CHANGE_CONFIRM:
        change_email(user, new_email, request=request)
        return CHANGED
    token, digest = tokens.new_token(LINK_PURPOSE)
    now = timezone.now()
    EmailChangeLink.objects.filter(user=user, expires_at__lt=now).delete()
    EmailChangeLink.objects.create(user=user, token_digest=digest, new_email=new_email,
                                   state_digest=_state_digest(user), created_at=now,
                                   expires_at=now + timedelta(seconds=app_settings.EMAIL_CHANGE_CONFIRM_MAX_AGE))
    record(EventKind.EMAIL_CHANGE_REQUESTED, request=request, actor=user, target=user, new=mask_email(new_email))
    sent = mail.send_to_user(user, "email_confirm", {
        "confirm_url": absolute_url(request, "secure_shopadmin:email_confirm", token),
        "valid_hours": max(1, app_settings.EMAIL_CHANGE_CONFIRM_MAX_AGE // 3600)}, to=new_email)
    return MAILED if sent else FAILED


@secret_variables
def find_link(token):
    """The unspent, unexpired link of ``token`` whose user has not changed the password since, or None."""
    if not token or len(token) > 100:
        return None
    now = timezone.now()
    link = EmailChangeLink.objects.filter(
        token_digest=tokens.token_digest(token, LINK_PURPOSE), used_at__isnull=True, expires_at__gt=now,
        created_at__gt=now - timedelta(seconds=app_settings.EMAIL_CHANGE_CONFIRM_MAX_AGE),
    ).select_related("user").first()
    if link is None or not constant_time_compare(_state_digest(link.user), link.state_digest):
        return None
    return link


@secret_variables
def pending_change(token):
    """(user, new address) of a confirmation link; None when it is unknown, expired, spent or void."""
    link = find_link(token)
    return (link.user, link.new_email) if link is not None else None


@secret_variables
def confirm_change(token, request=None):
    """Set the address a confirmation link names; returns the user, or None for a link that no longer works.

    The link is spent first (compare-and-set on its row), so it works once, whatever the address is
    later changed to. Raises :class:`EmailChangeFrozen` while a ``compromised`` reset is pending
    (the link is then not spent)."""
    with transaction.atomic():
        link = find_link(token)
        if link is None:
            return None
        if not EmailChangeLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()):
            return None  # spent by a parallel request
        change_email(link.user, link.new_email, request=request)
    return link.user


def _state_digest(user):
    """Changes with the user's password hash: a password change or forced reset voids a pending link."""
    return crypto.digest(f"{user.pk}|{user.password}", "email_confirm")


def guard_email_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """``pre_save`` on the user model: refuse a frozen address, remember the former one."""
    if raw or instance.pk is None:
        return
    field = sender.get_email_field_name()
    if update_fields is not None and field not in update_fields:
        return
    former = sender._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first()
    if former is None or (former or "") == (getattr(instance, field) or ""):
        return
    if is_frozen(instance.pk):
        raise EmailChangeFrozen(gettext("The e-mail address cannot change while a password reset is pending."))
    setattr(instance, FORMER_EMAIL_ATTR, former)


def tell_former_address(sender, instance, created=False, raw=False, **kwargs):
    """``post_save``: audit the change (addresses masked) and mail the former address after it commits."""
    former = instance.__dict__.pop(FORMER_EMAIL_ATTR, None)
    if not former or raw:
        return
    new = getattr(instance, sender.get_email_field_name()) or ""
    record(EventKind.EMAIL_CHANGED, target=instance, former=mask_email(former), new=mask_email(new))
    transaction.on_commit(lambda: mail.send_to_user(
        instance, "email_changed", {"new_email_masked": mask_email(new)}, to=former))


def mask_email(address):
    local, _at, domain = address.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def connect():
    user_model = get_user_model()

    pre_save.connect(guard_email_change, sender=user_model, dispatch_uid="secure_shopadmin.resets.email_guard")
    post_save.connect(tell_former_address, sender=user_model, dispatch_uid="secure_shopadmin.resets.email_told")
