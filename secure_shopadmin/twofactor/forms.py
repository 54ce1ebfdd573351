from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    error_messages = {
        "invalid": _("That code is not valid. Codes can be used only once."),
        "throttled": _("Too many wrong codes. Please try again later."),
        "passkey_required": _("This account must verify with a passkey or security key: a code is not enough."),
    }

    def reject(self, reason="invalid"):
        self.add_error(None, self.error_messages[reason])


class VerifyForm(CodeForm):
    remember = forms.BooleanField(label=_("Remember this browser"), required=False)

    def __init__(self, *args, may_remember=False, remember_days=0, **kwargs):
        super().__init__(*args, **kwargs)
        if may_remember:
            self.fields["remember"].help_text = _("Skip the code on this browser for %(days)d days.") % {
                "days": remember_days}
        else:
            del self.fields["remember"]


class CodesSavedForm(forms.Form):
    """The recovery codes page's "continue": refused until the box is ticked; ``next`` is where to go."""

    saved = forms.BooleanField(label=_("I have saved my recovery codes"), required=True)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class PasskeyForm(forms.Form):
    """The browser's answer to a passkey ceremony (filled in by passkeys.js), with the enrolment's
    optional name and the verify page's "remember this browser"."""

    passkey_answer = forms.CharField(max_length=64 * 1024, strip=True, widget=forms.HiddenInput)
    passkey_name = forms.CharField(label=_("Name (optional)"), max_length=64, required=False, strip=True)
    remember = forms.BooleanField(label=_("Remember this browser"), required=False)

    error_messages = {
        "invalid": _("The passkey or security key was not accepted. Try again, or use another key."),
        "throttled": CodeForm.error_messages["throttled"],
        "passkey_required": CodeForm.error_messages["passkey_required"],
    }

    def reject(self, reason="invalid"):
        self.add_error(None, self.error_messages[reason])
