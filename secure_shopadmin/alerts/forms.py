from django import forms
from django.utils.translation import gettext_lazy as _


class RiskCodeForm(forms.Form):
    """The risk step's code, as mailed (``ABCDE-FGHJK``; spaces, dashes and case do not matter)."""

    code = forms.CharField(
        label=_("Code from the mail"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters",
                                      "spellcheck": "false", "autofocus": True}),
    )

    error_messages = {
        "invalid": _("That code is not valid, or it expired. Ask for a new code below."),
    }

    def reject(self, reason="invalid"):
        self.add_error(None, self.error_messages[reason])
