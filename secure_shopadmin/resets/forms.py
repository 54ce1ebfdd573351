from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings
from . import services
from .models import OPERATOR_CATEGORIES, ResetCategory, ResetMode
from .validators import BreachedPasswordValidator, PwnedRangeValidator

#: NIST SP 800-63B's minimum, applied when the host configured no MinimumLengthValidator
MIN_LENGTH = 8


def _applies_validator(cls):
    return any(isinstance(v, cls) for v in password_validation.get_default_password_validators())


class NewPasswordForm(forms.Form):
    """The new password of a forced reset: Django's validators, the breached list, not the former one."""

    new_password1 = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("New password confirmation"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, requirement, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.requirement = user, requirement

    def clean_new_password2(self):
        first, second = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if first and second and first != second:
            raise ValidationError(_("The two password fields didn't match."), code="password_mismatch")
        if not second:
            return second
        errors = []
        try:
            password_validation.validate_password(second, self.user)
        except ValidationError as error:
            errors.extend(error.error_list)
        extra = []
        if not _applies_validator(password_validation.MinimumLengthValidator):
            extra.append(password_validation.MinimumLengthValidator(MIN_LENGTH))
        if not _applies_validator(BreachedPasswordValidator):
            extra.append(BreachedPasswordValidator())
        if app_settings.PWNED_RANGE_API_URL and not _applies_validator(PwnedRangeValidator):
            extra.append(PwnedRangeValidator())
        for validator in extra:
            try:
                validator.validate(second, self.user)
            except ValidationError as error:
                errors.extend(error.error_list)
        if not errors and services.is_former_password(self.requirement, self.user, second):
            errors.append(ValidationError(_("Choose a password different from your former one."),
                                          code="password_reused"))
        if errors:
            raise ValidationError(errors)
        return second


class ResendLinkForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class RequireResetForm(forms.Form):
    """The admin's confirmation page of "Require password reset"."""

    mode = forms.ChoiceField(label=_("Mode"), choices=ResetMode.choices, widget=forms.RadioSelect,
                             help_text=_("Compromised: the password stops working now; the user proves the "
                                         "e-mail address (and staff the second factor) before choosing a new "
                                         "one. Change: the user chooses a new password after the next login "
                                         "— only when the password is not known to anyone else."))
    category = forms.ChoiceField(label=_("What the users are told"), choices=OPERATOR_CATEGORIES,
                                 widget=forms.RadioSelect, initial=ResetCategory.COMPROMISE, required=False,
                                 help_text=_("The mail and the pages explain the reset with this; choose "
                                             "\"breach\" only when the shop's data leaked."))

    def clean_category(self):
        """None (none chosen) lets the services take the mode's default category."""
        return self.cleaned_data.get("category") or None
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text=_("Kept in the audit trail; not shown to the users."))
    notify = forms.BooleanField(label=_("Mail the users"), required=False, initial=True)
    send_now = forms.BooleanField(label=_("Send the mails now"), required=False, initial=True,
                                  help_text=_("Otherwise they stay queued until `manage.py force_password_reset "
                                              "--send-queued` sends them."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("mode", app_settings.RESET_DEFAULT_MODE)
        super().__init__(*args, **kwargs)


class CancelResetForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
