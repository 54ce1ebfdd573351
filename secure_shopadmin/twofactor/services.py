"""Second-factor logic in plain functions: devices, codes, remembered browsers, enrolment links."""

from .models import RememberedBrowser


def forget_remembered_browsers(user):
    """Every remembered browser of ``user`` must pass the second factor again; returns how many."""
    deleted, _ = RememberedBrowser.objects.filter(user=user).delete()
    return deleted
