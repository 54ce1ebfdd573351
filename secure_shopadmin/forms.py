from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    """Username and password; checking them is the pipeline's job, not the form's."""

    username = forms.CharField(max_length=254, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
        ),
    }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        user_model = get_user_model()
        username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
        self.username_field_name = username_field.verbose_name
        self.fields["username"].label = capfirst(username_field.verbose_name)
        self.fields["username"].widget.attrs["autocomplete"] = "username webauthn"  # the browser may offer a passkey

    def add_invalid_login_error(self):
        self.add_error(None, self.error_messages["invalid_login"] % {"username": self.username_field_name})
