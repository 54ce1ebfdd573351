from django import forms


class UnlockForm(forms.Form):
    """The unlock page's confirmation: a POST with its CSRF token is all it takes."""
